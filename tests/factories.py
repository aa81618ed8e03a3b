"""factory-boy factories: valid, eligible data by default; override what a test is about."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any, cast

import factory
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from subsidy.demo_data import TINY_PDF
from subsidy.models import (
    AccessRole,
    Applicant,
    ApplicantAccess,
    ApplicantKind,
    Application,
    CostItem,
    CostType,
    Currency,
    DesignatedOffice,
    DocumentType,
    ExchangeRate,
    FundingRound,
    GuangdongCity,
    Letter,
    LetterKind,
    LetterStatus,
    Patent,
    PatentKind,
    PatentProprietor,
    PatentRoute,
    PersonalIdKind,
    Role,
)
from subsidy.models.schemes import hk_standard_patent_scheme
from subsidy.patent_numbers import Office
from subsidy.services import applications as application_services
from subsidy.services import documents as document_services
from tests.identifiers import valid_cnipa, valid_resident_id, valid_uscc


def update_claim(application: Application, **fields: Any) -> None:
    """Write a claim's columns directly (to backdate it or skip steps), then bring the
    queue's read model in step, as every write that bypasses save() must
    (workflows.queue_entries)."""
    from workflows.queue_entries import queue_entries_refresh

    Application.objects.filter(pk=application.pk).update(**fields)
    queue_entries_refresh(application_ids=[application.pk])


def today() -> dt.date:
    return timezone.localdate()


class UserFactory(factory.django.DjangoModelFactory[Any]):
    class Meta:
        model = get_user_model()
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}@example.cn")
    email = factory.LazyAttribute(lambda o: o.username)
    password = factory.django.Password("correct-horse-battery")

    @factory.post_generation
    def role(obj: Any, create: bool, extracted: Role | None, **kwargs: Any) -> None:
        if create:
            group, _ = Group.objects.get_or_create(name=(extracted or Role.APPLICANT).value)
            obj.groups.add(group)


class FundingRoundFactory(factory.django.DjangoModelFactory[FundingRound]):
    class Meta:
        model = FundingRound

    scheme = factory.LazyFunction(hk_standard_patent_scheme)
    name = factory.Sequence(lambda n: f"Round {n}")
    code = factory.Sequence(lambda n: f"round-{n}")
    budget = Decimal("1000000.00")
    opens_on = factory.LazyFunction(lambda: today() - dt.timedelta(days=30))
    closes_on = factory.LazyFunction(lambda: today() + dt.timedelta(days=300))
    grant_date_from = factory.LazyFunction(lambda: today() - dt.timedelta(days=365))
    grant_date_to = factory.LazyFunction(lambda: today())


class ApplicantFactory(factory.django.DjangoModelFactory[Applicant]):
    class Meta:
        model = Applicant
        skip_postgeneration_save = True

    kind = ApplicantKind.ORGANISATION
    name = factory.Sequence(lambda n: f"深圳市测试科技有限公司{n}")
    name_en = factory.Sequence(lambda n: f"Shenzhen Test Technology Co., Ltd. {n}")
    uscc = factory.Sequence(lambda n: valid_uscc("440300", f"MA{n:07d}"))
    city = GuangdongCity.SHENZHEN
    address = "深圳市南山区科技园 1 号"
    contact_person = "张三"
    phone = "0755-26881234"
    email = "contact@example.cn"
    bank_account_name = factory.LazyAttribute(lambda o: o.name)
    bank_name = "中国工商银行深圳分行"
    bank_account_number = "4000023409200123456"
    cnaps_code = "102584002345"

    @factory.post_generation
    def owner(obj: Applicant, create: bool, extracted: Any, **kwargs: Any) -> None:
        if create and extracted is not None:
            ApplicantAccess.objects.create(user=extracted, applicant=obj, role=AccessRole.OWNER)


class IndividualApplicantFactory(ApplicantFactory):
    kind = ApplicantKind.INDIVIDUAL
    name = "黄喆"  # type: ignore[assignment]
    name_en = "Huang Zhe"  # type: ignore[assignment]
    uscc = ""  # type: ignore[assignment]
    id_kind = PersonalIdKind.RESIDENT_ID
    id_number = factory.Sequence(lambda n: valid_resident_id("440604", "19860315", f"{n % 1000:03d}"))


class PatentFactoryBase(factory.django.DjangoModelFactory[Patent]):
    """A patent attached to its family, as application_set_patent stores one."""

    class Meta:
        model = Patent
        skip_postgeneration_save = True

    title_zh = "一种测试装置"
    title_en = "A test device"
    grant_date = factory.LazyFunction(lambda: today() - dt.timedelta(days=30))

    @classmethod
    def _create(cls, model_class: Any, *args: Any, **kwargs: Any) -> Patent:
        patent = model_class(*args, **kwargs)
        patent.attach_family()
        patent.save()
        return patent


class HKPatentFactory(PatentFactoryBase):
    number = factory.Sequence(lambda n: f"HK{1300000 + n}")
    route = PatentRoute.REREGISTRATION
    designated_office = DesignatedOffice.CNIPA
    designated_application_number = factory.Sequence(lambda n: valid_cnipa(2023, f"{n:07d}"))


class AbroadPatentFactory(PatentFactoryBase):
    """An invention patent granted by the USPTO, claiming a Chinese priority application."""

    office = Office.US
    number = factory.Sequence(lambda n: f"US {11200000 + n} B2")
    kind = PatentKind.INVENTION
    priority_office = Office.CN
    priority_number = factory.Sequence(lambda n: "CN " + valid_cnipa(2022, f"{n:07d}"))


class CostItemFactory(factory.django.DjangoModelFactory[CostItem]):
    class Meta:
        model = CostItem

    cost_type = CostType.AGENCY_FEE
    amount = Decimal("8000.00")
    currency = Currency.CNY
    paid_on = factory.LazyFunction(lambda: today() - dt.timedelta(days=40))
    receipt_number = factory.Sequence(lambda n: f"R{n:05d}")


class ApplicationFactory(factory.django.DjangoModelFactory[Application]):
    """A draft claim, complete and eligible: `submit` would pass every rule."""

    class Meta:
        model = Application
        skip_postgeneration_save = True

    funding_round = factory.SubFactory(FundingRoundFactory)
    created_by = factory.SubFactory(UserFactory)
    applicant = factory.LazyAttribute(lambda o: ApplicantFactory(owner=o.created_by))
    patent = factory.SubFactory(HKPatentFactory)
    declare_true_and_complete = True
    declare_no_double_funding = True
    declare_consent_to_checks = True

    @factory.post_generation
    def complete(obj: Application, create: bool, extracted: bool | None, **kwargs: Any) -> None:
        if not create or extracted is False:
            return
        if obj.patent is not None:
            PatentProprietor.objects.create(patent=obj.patent, position=1, name=obj.applicant.name)
        CostItemFactory(application=obj)
        identity = DocumentType.BUSINESS_LICENCE if obj.applicant.is_organisation else DocumentType.IDENTITY
        for doc_type in (DocumentType.GRANT_CERTIFICATE, DocumentType.FEE_RECEIPT, identity):
            document_services.document_upload(
                application=obj, by=obj.created_by, doc_type=doc_type, upload=pdf_upload()
            )


def pdf_upload(name: str = "evidence.pdf", content: bytes = TINY_PDF) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type="application/pdf")


def hkd_rate(on_date: dt.date, rate: str = "0.912300") -> ExchangeRate:
    return ExchangeRate.objects.create(currency=Currency.HKD, on_date=on_date, rate_to_cny=Decimal(rate), source="test")


def submitted_application(**kwargs: Any) -> Application:
    application = cast(Application, ApplicationFactory(**kwargs))
    return application_services.application_submit(application=application, by=application.created_by)


def staff_member(role: Role) -> Any:
    return UserFactory(role=role)


def cleared(application: Application, user: Any) -> Any:
    """`user` has declared no conflict of interest on `application`."""
    from subsidy.models import ConflictDeclaration

    ConflictDeclaration.objects.create(application=application, user=user, has_conflict=False)
    return user


def in_review(**kwargs: Any) -> tuple[Application, Any]:
    """A submitted claim taken into review by a cleared reviewer: (claim, reviewer)."""
    from subsidy.services import reviews

    application = submitted_application(**kwargs)
    reviewer = cleared(application, staff_member(Role.REVIEWER))
    return reviews.application_start_review(application=application, by=reviewer), reviewer


def awaiting_decision(**kwargs: Any) -> tuple[Application, Any]:
    """A claim recommended for approval at its computed amount: (claim, reviewer)."""
    from subsidy.services import reviews

    application, reviewer = in_review(**kwargs)
    checklist_confirmed(application, reviewer)
    application = reviews.application_recommend(application=application, by=reviewer, recommendation="approve")
    return application, reviewer


def checklist_confirmed(application: Application, reviewer: Any) -> None:
    """The reviewer confirms every automatic check (all pass on factory claims)."""
    from subsidy.rules import rule_set_of
    from subsidy.services import reviews

    reviews.checklist_record_all(
        application=application,
        by=reviewer,
        findings=[(code, True, "") for code in rule_set_of(application.funding_round).codes],
    )


def cleared_approver(application: Application) -> Any:
    return cleared(application, staff_member(Role.APPROVER))


# --------------------------------------------------------------------------
# Disbursement
# --------------------------------------------------------------------------


def payable_application(
    *,
    funding_round: FundingRound | None = None,
    amount: Decimal = Decimal("4000.00"),
    letter: bool = True,
    **kwargs: Any,
) -> Application:
    """An approved claim whose public notice has ended, put straight into that state
    (no documents or review: batches only need the decision) with its round's reservation."""
    from django.db.models import F

    funding_round = funding_round or cast(FundingRound, FundingRoundFactory())
    application = cast(Application, ApplicationFactory(funding_round=funding_round, complete=False, **kwargs))
    decided = timezone.now() - dt.timedelta(days=20)
    update_claim(
        application,
        status="approved",
        reference=f"GDHK-T-{application.pk:07d}",
        submitted_at=decided - dt.timedelta(days=10),
        recommendation="approve",
        recommended_amount=amount,
        approved_amount=amount,
        decided_at=decided,
        notice_ends_on=today() - dt.timedelta(days=1),
    )
    FundingRound.objects.filter(pk=funding_round.pk).update(reserved_amount=F("reserved_amount") + amount)
    application.refresh_from_db()
    # What approval does besides the status: the payee is fixed, the letter issued (a row
    # standing for the rendered PDF; batches quote its reference).
    application.freeze_payee()
    application.save(update_fields=list(Application.PAYEE_FIELDS))
    if letter:
        Letter.objects.create(
            application=application,
            kind=LetterKind.APPROVAL,
            reference=f"{application.reference}-A1",
            status=LetterStatus.ISSUED,
            content={},
            issued_at=decided,
            file=f"letters/{application.reference}-A1.pdf",
            sha256="0" * 64,
        )
    return application


def finance_staff(*roles: Role) -> Any:
    """A user holding every role given (e.g. officer and approver at once)."""
    user: Any = UserFactory(role=roles[0])
    for role in roles[1:]:
        user.groups.add(Group.objects.get_or_create(name=role.value)[0])
    return user


def top_up_scheme(**overrides: Any) -> Any:
    """A second scheme, made of data only: a city's top-up of HK standard patents
    (`ceiling_share=Decimal("0.5")` puts it under the policy ceiling)."""
    from subsidy.models import Scheme
    from subsidy.models.schemes import HK_SCHEME_VALUES

    values = {
        **HK_SCHEME_VALUES,
        "name": "深圳市香港标准专利资助（测试）",
        "name_en": "Shenzhen top-up (test)",
        "reference_prefix": "SZTEST",
        **overrides,
    }
    return Scheme.objects.get_or_create(code="sz-top-up-test", defaults=values)[0]


def abroad_scheme() -> Any:
    """A Guangdong subsidy for invention patents granted abroad: a fixed amount per
    office, within half the official fees (the policy ceiling)."""
    from subsidy.models import Scheme

    values = {
        "name": "广东省境外发明专利授权资助（测试）",
        "name_en": "Guangdong subsidy for invention patents granted abroad (test)",
        "legal_basis": "测试",
        "reference_prefix": "GDABT",
        "offices": ["US", "EP", "JP", "KR"],
        "rule_set": "granted_invention_patent",
        "amount_method": "fixed_by_office",
        "required_documents": ["grant_certificate", "fee_receipt"],
        "ceiling_share": Decimal("0.50"),
    }
    return Scheme.objects.get_or_create(code="gd-abroad-test", defaults=values)[0]


def abroad_round(**kwargs: Any) -> FundingRound:
    return cast(
        FundingRound,
        FundingRoundFactory(
            scheme=abroad_scheme(),
            amounts_by_office={"US": "4500.00", "EP": "17000.00", "JP": "4500.00", "KR": "3000.00"},
            eligible_cost_types=["official_fee"],
            **kwargs,
        ),
    )


def staff_of_scheme(scheme: Any, *roles: Role) -> Any:
    """A member of staff holding every role given, limited to `scheme`."""
    from subsidy.models import StaffScope

    user = finance_staff(*roles)
    StaffScope.objects.create(user=user, scheme=scheme)
    return user
