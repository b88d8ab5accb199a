"""Database models, one module per area; importing this package registers them all."""

from .base import utcnow
from .documents import DocumentNumber, DocumentNumberCounter
from .seals import Authority, Certificate, Seal, SealUsage

__all__ = [
    "Authority",
    "Certificate",
    "DocumentNumber",
    "DocumentNumberCounter",
    "Seal",
    "SealUsage",
    "utcnow",
]
