"""Database models, one module per area; importing this package registers them all."""

from .apps import ApiApp, UsedNonce, WebhookSecret
from .archive import ArchiveRecord
from .base import utcnow
from .contracts import (
    Contract,
    ContractDocument,
    ContractEvent,
    DocumentRevision,
    Signatory,
)
from .dashboard import DashboardUser
from .documents import DocumentNumber, DocumentNumberCounter
from .jobs import ScheduledJob
from .oa import OaNonce, OaRedHeader, SealTask
from .outbox import OutboxMessage
from .seals import Authority, Certificate, Seal, SealUsage
from .signers import (
    DevSmsMessage,
    OneTimeCode,
    Operator,
    SealAuthorization,
    SignerIdentity,
    SigningLink,
)

__all__ = [
    "ApiApp",
    "ArchiveRecord",
    "Authority",
    "Certificate",
    "Contract",
    "ContractDocument",
    "ContractEvent",
    "DashboardUser",
    "DocumentNumber",
    "DocumentNumberCounter",
    "DevSmsMessage",
    "DocumentRevision",
    "OaNonce",
    "OaRedHeader",
    "OneTimeCode",
    "Operator",
    "OutboxMessage",
    "ScheduledJob",
    "Seal",
    "SealTask",
    "SealAuthorization",
    "SealUsage",
    "Signatory",
    "SignerIdentity",
    "SigningLink",
    "UsedNonce",
    "WebhookSecret",
    "utcnow",
]
