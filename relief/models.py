"""Every model of the application, imported in one place for Alembic and the shell."""

from insurer_api.models import UsedNonce
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
from relief.cases.models import (
    Court,
    EnforcementCase,
    Outcome,
    Party,
    PartyKind,
    PartyRole,
    Recovery,
)
from relief.core.audit import AuditEntry
from relief.documents.models import DocumentKind, IssuedDocument
from relief.insurers.models import ApiClient, Insurer, ReliefPolicy

__all__ = [
    "ApiClient",
    "ApplicationStatus",
    "AuditEntry",
    "ClaimStatus",
    "Clawback",
    "Court",
    "DocumentKind",
    "EnforcementCase",
    "Insurer",
    "IssuedDocument",
    "Outcome",
    "Party",
    "PartyKind",
    "PartyRole",
    "ProofDocument",
    "Recovery",
    "ReliefApplication",
    "ReliefClaim",
    "ReliefPolicy",
    "Role",
    "UsedNonce",
    "User",
    "WageFigure",
]
