"""The domain model. Import models from here: `from subsidy.models import Application`."""

from subsidy.models.applicant_changes import ApplicantChange, ApplicantChangeStatus
from subsidy.models.applicants import Applicant, ApplicantAccess
from subsidy.models.applications import Application, CostItem, PatentClaim, ReferenceSequence
from subsidy.models.audit import AuditEntry
from subsidy.models.batches import BankReturn, Batch, BatchExport, BatchLine
from subsidy.models.choices import (
    AWAITING_OFFICE_STATUSES,
    EDITABLE_STATUSES,
    FINANCE_ROLES,
    LIVE_LINE_STATUSES,
    RESERVED_STATUSES,
    STAFF_ROLES,
    WITHDRAWABLE_STATUSES,
    AccessRole,
    ApplicantKind,
    ApplicationStatus,
    BatchStatus,
    CostType,
    Currency,
    DesignatedOffice,
    DocumentType,
    ExportFormat,
    GuangdongCity,
    LetterChinese,
    LetterKind,
    LetterStatus,
    LineStatus,
    PatentKind,
    PatentRoute,
    PersonalIdKind,
    Recommendation,
    Role,
)
from subsidy.models.documents import Document
from subsidy.models.enrolment import EnrolmentCode
from subsidy.models.idempotency import IdempotencyKey
from subsidy.models.identity_claims import IdentityClaim, IdentityClaimStatus
from subsidy.models.letters import Letter
from subsidy.models.patents import Patent, PatentFamily, PatentFamilyKey, PatentProprietor
from subsidy.models.rates import ExchangeRate
from subsidy.models.reviews import ChecklistEntry, ConflictDeclaration, InformationRequest
from subsidy.models.rounds import FundingRound
from subsidy.models.scheduling import ScheduledRun
from subsidy.models.schemes import Scheme
from subsidy.models.staff_scopes import StaffScope
from subsidy.models.tokens import ApiToken, TokenRevocation

__all__ = [
    "AWAITING_OFFICE_STATUSES",
    "EDITABLE_STATUSES",
    "FINANCE_ROLES",
    "LIVE_LINE_STATUSES",
    "RESERVED_STATUSES",
    "STAFF_ROLES",
    "WITHDRAWABLE_STATUSES",
    "AccessRole",
    "ApiToken",
    "Applicant",
    "ApplicantAccess",
    "ApplicantChange",
    "ApplicantChangeStatus",
    "ApplicantKind",
    "Application",
    "ApplicationStatus",
    "AuditEntry",
    "BankReturn",
    "Batch",
    "BatchExport",
    "BatchLine",
    "BatchStatus",
    "ChecklistEntry",
    "ConflictDeclaration",
    "CostItem",
    "CostType",
    "Currency",
    "DesignatedOffice",
    "Document",
    "DocumentType",
    "EnrolmentCode",
    "ExchangeRate",
    "ExportFormat",
    "FundingRound",
    "GuangdongCity",
    "IdempotencyKey",
    "IdentityClaim",
    "IdentityClaimStatus",
    "InformationRequest",
    "Letter",
    "LetterChinese",
    "LetterKind",
    "LetterStatus",
    "LineStatus",
    "Patent",
    "PatentClaim",
    "PatentFamily",
    "PatentFamilyKey",
    "PatentKind",
    "PatentProprietor",
    "PatentRoute",
    "PersonalIdKind",
    "Recommendation",
    "ReferenceSequence",
    "Role",
    "ScheduledRun",
    "Scheme",
    "StaffScope",
    "TokenRevocation",
]
