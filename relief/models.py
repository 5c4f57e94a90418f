"""Every model of the application, imported in one place for Alembic and the shell."""

from insurer_api.models import (
    IdempotencyRecord,
    OutboxEvent,
    UsedNonce,
    WebhookDelivery,
    WebhookEndpoint,
)
from relief.accounts.lockout import LoginFailure
from relief.accounts.models import Role, User
from relief.assistance.models import (
    ApplicationStatus,
    ClaimStatus,
    Clawback,
    ProofDocument,
    ReliefApplication,
    ReliefClaim,
    WageFigure,
)
from relief.bounties.models import (
    Bounty,
    BountyContract,
    BountyPayout,
    Tip,
    TipAddition,
    TipAttachment,
    TipRecovery,
)
from relief.cases.models import (
    Court,
    EnforcementCase,
    InquiryResult,
    Measure,
    MeasureKind,
    Outcome,
    Party,
    PartyKind,
    PartyRole,
    PropertyKind,
    Recheck,
    RecheckResult,
    Recovery,
    Stage,
    Termination,
)
from relief.core.audit import AuditChainHead, AuditEntry
from relief.documents.models import DocumentKind, IssuedDocument
from relief.guarantees.models import Guarantee, GuaranteeContract, GuaranteeStatus
from relief.holidays.models import HolidayOverride
from relief.insurers.models import ApiClient, Insurer, ReliefPolicy

__all__ = [
    "ApiClient",
    "ApplicationStatus",
    "AuditChainHead",
    "AuditEntry",
    "Bounty",
    "BountyContract",
    "BountyPayout",
    "ClaimStatus",
    "Clawback",
    "Court",
    "DocumentKind",
    "EnforcementCase",
    "Guarantee",
    "GuaranteeContract",
    "GuaranteeStatus",
    "HolidayOverride",
    "IdempotencyRecord",
    "InquiryResult",
    "Insurer",
    "IssuedDocument",
    "LoginFailure",
    "Measure",
    "MeasureKind",
    "OutboxEvent",
    "Outcome",
    "Party",
    "PartyKind",
    "PartyRole",
    "ProofDocument",
    "PropertyKind",
    "Recheck",
    "RecheckResult",
    "Recovery",
    "ReliefApplication",
    "ReliefClaim",
    "ReliefPolicy",
    "Role",
    "Stage",
    "Termination",
    "Tip",
    "TipAddition",
    "TipAttachment",
    "TipRecovery",
    "UsedNonce",
    "User",
    "WageFigure",
    "WebhookDelivery",
    "WebhookEndpoint",
]
