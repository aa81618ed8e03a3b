"""Enumerations of the scheme. Text values read well in exports and audit rows."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class GuangdongCity(models.TextChoices):
    """The 21 prefecture-level cities of Guangdong province."""

    GUANGZHOU = "guangzhou", _("Guangzhou")
    SHENZHEN = "shenzhen", _("Shenzhen")
    ZHUHAI = "zhuhai", _("Zhuhai")
    SHANTOU = "shantou", _("Shantou")
    FOSHAN = "foshan", _("Foshan")
    SHAOGUAN = "shaoguan", _("Shaoguan")
    ZHANJIANG = "zhanjiang", _("Zhanjiang")
    ZHAOQING = "zhaoqing", _("Zhaoqing")
    JIANGMEN = "jiangmen", _("Jiangmen")
    MAOMING = "maoming", _("Maoming")
    HUIZHOU = "huizhou", _("Huizhou")
    MEIZHOU = "meizhou", _("Meizhou")
    SHANWEI = "shanwei", _("Shanwei")
    HEYUAN = "heyuan", _("Heyuan")
    YANGJIANG = "yangjiang", _("Yangjiang")
    QINGYUAN = "qingyuan", _("Qingyuan")
    DONGGUAN = "dongguan", _("Dongguan")
    ZHONGSHAN = "zhongshan", _("Zhongshan")
    CHAOZHOU = "chaozhou", _("Chaozhou")
    JIEYANG = "jieyang", _("Jieyang")
    YUNFU = "yunfu", _("Yunfu")


class ApplicantKind(models.TextChoices):
    ORGANISATION = "organisation", _("Organisation (company or institution)")
    INDIVIDUAL = "individual", _("Individual")


class PersonalIdKind(models.TextChoices):
    RESIDENT_ID = "resident_id", _("Resident identity card")
    RESIDENCE_PERMIT = "residence_permit", _("Guangdong residence permit")


class AccessRole(models.TextChoices):
    OWNER = "owner", _("Applicant's own account")
    AGENT = "agent", _("Authorised patent agency")


class PatentKind(models.TextChoices):
    STANDARD = "standard", _("Standard patent")
    SHORT_TERM = "short_term", _("Short-term patent")
    INVENTION = "invention", _("Invention patent")


class PatentRoute(models.TextChoices):
    REREGISTRATION = "R", _("R: re-registration of a designated patent")
    ORIGINAL_GRANT = "O", _("O: original grant")


class DesignatedOffice(models.TextChoices):
    # The office of a route R patent's designated application, as patent_numbers.Office
    # names it (DESIGNATED_OFFICE_CODES): its number ties the HK patent to its family.
    CNIPA = "CNIPA", _("China National Intellectual Property Administration (CNIPA)")
    EPO = "EPO", _("European Patent Office (designating the UK)")
    UKIPO = "UKIPO", _("United Kingdom Intellectual Property Office")


class CostType(models.TextChoices):
    OFFICIAL_FEE = "official_fee", _("Official fee")
    AGENCY_FEE = "agency_fee", _("Agency fee")
    TRANSLATION_FEE = "translation_fee", _("Translation fee")


class Currency(models.TextChoices):
    CNY = "CNY", _("CNY (renminbi)")
    HKD = "HKD", _("HKD (Hong Kong dollar)")


class DocumentType(models.TextChoices):
    GRANT_CERTIFICATE = "grant_certificate", _("Grant certificate")
    FEE_RECEIPT = "fee_receipt", _("Fee receipt")
    BUSINESS_LICENCE = "business_licence", _("Business licence")
    IDENTITY = "identity", _("Identity document")
    OTHER = "other", _("Other")


class ApplicationStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    SUBMITTED = "submitted", _("Submitted")
    UNDER_REVIEW = "under_review", _("Under review")
    INFO_REQUESTED = "info_requested", _("Information requested")
    LAPSED = "lapsed", _("Lapsed")
    AWAITING_DECISION = "awaiting_decision", _("Awaiting decision")
    APPROVED = "approved", _("Approved")
    REJECTED = "rejected", _("Rejected")
    IN_PAYMENT = "in_payment", _("In payment")
    PAID = "paid", _("Paid")
    WITHDRAWN = "withdrawn", _("Withdrawn")


# Applicants edit their claim while it is a draft, and again when a reviewer
# has asked them for more information.
EDITABLE_STATUSES = [ApplicationStatus.DRAFT, ApplicationStatus.INFO_REQUESTED]

# Statuses in which the scheme office owes the applicant a decision: the review
# target (FundingRound.review_sla_days) runs while a claim is in one of these.
AWAITING_OFFICE_STATUSES = [
    ApplicationStatus.SUBMITTED,
    ApplicationStatus.UNDER_REVIEW,
    ApplicationStatus.AWAITING_DECISION,
]

# Statuses in which a case is in a reviewer's hands (or waits for one to take it).
WITH_REVIEWER_STATUSES = [
    ApplicationStatus.SUBMITTED,
    ApplicationStatus.UNDER_REVIEW,
    ApplicationStatus.INFO_REQUESTED,
]

# Statuses whose approved amount is reserved against the round's budget and
# counts towards the applicant's annual cap.
RESERVED_STATUSES = [ApplicationStatus.APPROVED, ApplicationStatus.IN_PAYMENT, ApplicationStatus.PAID]

# Applicants may withdraw until a reviewer has finished with the case.
WITHDRAWABLE_STATUSES = [
    ApplicationStatus.DRAFT,
    ApplicationStatus.SUBMITTED,
    ApplicationStatus.UNDER_REVIEW,
    ApplicationStatus.INFO_REQUESTED,
]


class LetterChinese(models.TextChoices):
    """The Chinese of an applicant's letters (English always follows it)."""

    SIMPLIFIED = "zh-hans", _("Simplified Chinese")
    TRADITIONAL = "zh-hant", _("Traditional Chinese")


class LetterKind(models.TextChoices):
    APPROVAL = "approval", _("Approval letter")
    REJECTION = "rejection", _("Rejection letter")


class LetterStatus(models.TextChoices):
    PENDING = "pending", _("Being generated")
    ISSUED = "issued", _("Issued")
    SUPERSEDED = "superseded", _("Superseded by a correction")
    REVOKED = "revoked", _("Revoked (the decision was reopened)")


class BatchStatus(models.TextChoices):
    """A disbursement batch (DESIGN.md §3): built, checked by a second person, paid out."""

    DRAFT = "draft", _("Draft")
    SUBMITTED = "submitted", _("Submitted for release")
    RELEASED = "released", _("Released")
    EXPORTED = "exported", _("Exported to the bank")
    RECONCILED = "reconciled", _("Reconciled")
    CANCELLED = "cancelled", _("Cancelled")


class LineStatus(models.TextChoices):
    """One payment in a batch. Only a failed or cancelled line lets its claim into another batch."""

    PENDING = "pending", _("Pending")
    PAID = "paid", _("Paid")
    FAILED = "failed", _("Failed")
    CANCELLED = "cancelled", _("Cancelled with its batch")


# A line in one of these holds its claim: no second such line may exist (database constraint).
LIVE_LINE_STATUSES = [LineStatus.PENDING, LineStatus.PAID]


class ExportFormat(models.TextChoices):
    CSV = "csv", _("CSV (Excel, UTF-8)")
    XLSX = "xlsx", _("Excel workbook (XLSX)")
    PAIN001 = "pain001", _("ISO 20022 credit transfer (pain.001.001.09)")


class Recommendation(models.TextChoices):
    APPROVE = "approve", _("Approve")
    REJECT = "reject", _("Reject")


class Role(models.TextChoices):
    """Django groups, one per role of DESIGN.md §6."""

    APPLICANT = "applicant", _("Applicant")
    AGENT = "agent", _("Patent agency")
    REVIEWER = "reviewer", _("Reviewer")
    APPROVER = "approver", _("Approver")
    FINANCE_OFFICER = "finance_officer", _("Finance officer")
    FINANCE_APPROVER = "finance_approver", _("Finance approver")
    SCHEME_ADMIN = "scheme_admin", _("Scheme administrator")
    AUDITOR = "auditor", _("Auditor")


STAFF_ROLES = [
    Role.REVIEWER,
    Role.APPROVER,
    Role.FINANCE_OFFICER,
    Role.FINANCE_APPROVER,
    Role.SCHEME_ADMIN,
    Role.AUDITOR,
]

FINANCE_ROLES = [Role.FINANCE_OFFICER, Role.FINANCE_APPROVER]
