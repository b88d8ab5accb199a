"""Use cases of the bridge; each owns its transaction."""
