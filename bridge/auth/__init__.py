"""Authentication of the finance system's apps: HMAC-signed requests (docs/api.md)."""
