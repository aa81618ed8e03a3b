"""Realistic demo data for `make run`: a funding round, an account for every role,
and claims in several states, all made through the domain services."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.utils import timezone

from subsidy.identifiers import cnipa_check_char, ric_check_char, uscc_check_char
from subsidy.models import (
    ApplicantKind,
    ApplicationStatus,
    CostType,
    Currency,
    DesignatedOffice,
    DocumentType,
    ExchangeRate,
    FundingRound,
    GuangdongCity,
    PatentRoute,
    PersonalIdKind,
    Role,
)
from subsidy.services import applicants as applicant_services
from subsidy.services import applications as application_services
from subsidy.services import documents as document_services

DEMO_PASSWORD = "demo-pass-2026"  # noqa: S105 - printed for local demo accounts only

DEMO_ACCOUNTS: list[tuple[str, Role]] = [
    ("applicant@demo.gdhk", Role.APPLICANT),
    ("agent@demo.gdhk", Role.AGENT),
    ("reviewer@demo.gdhk", Role.REVIEWER),
    ("approver@demo.gdhk", Role.APPROVER),
    ("finance@demo.gdhk", Role.FINANCE_OFFICER),
    ("finance.approver@demo.gdhk", Role.FINANCE_APPROVER),
    ("admin@demo.gdhk", Role.SCHEME_ADMIN),
    ("auditor@demo.gdhk", Role.AUDITOR),
]


def minimal_pdf(*objects: bytes) -> bytes:
    """A well-formed PDF of the given objects (numbered from 1, the first the catalog),
    with a correct cross-reference table: uploads are parsed, not only sniffed."""
    out = b"%PDF-1.4\n"
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n%s\nendobj\n" % (number, body)
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer\n<</Size %d/Root 1 0 R>>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
    return out


# One blank A4 page.
TINY_PDF = minimal_pdf(
    b"<</Type/Catalog/Pages 2 0 R>>",
    b"<</Type/Pages/Kids[3 0 R]/Count 1>>",
    b"<</Type/Page/Parent 2 0 R/MediaBox[0 0 595 842]/Resources<<>>>>",
)


def demo_uscc(region: str, serial: str) -> str:
    first17 = f"91{region}{serial}"
    return first17 + uscc_check_char(first17)


def demo_resident_id(region: str, birth: str, sequence: str) -> str:
    first17 = f"{region}{birth}{sequence}"
    return first17 + ric_check_char(first17)


def demo_cnipa(year: int, serial: str) -> str:
    digits = f"{year}1{serial}"
    return f"{digits}.{cnipa_check_char(digits)}"


@dataclass
class DemoClaim:
    applicant_index: int
    hk_number: str
    title_zh: str
    title_en: str
    route: str
    days_since_grant: int
    costs: list[tuple[str, str, str]]  # (type, amount, currency)
    final_status: str


APPLICANTS: list[dict[str, Any]] = [
    {
        "kind": ApplicantKind.ORGANISATION,
        "name": "深圳市鹏城光电科技有限公司",
        "name_en": "Shenzhen Pengcheng Optoelectronics Co., Ltd.",
        "uscc": demo_uscc("440300", "MA5F3K2Q8"),
        "city": GuangdongCity.SHENZHEN,
        "address": "深圳市南山区科技园南区高新南七道 18 号",
        "contact_person": "陈晓堃",
        "phone": "0755-26881234",
        "email": "ip@pengcheng-opto.example",
        "bank_account_name": "深圳市鹏城光电科技有限公司",
        "bank_name": "中国工商银行深圳南山支行",
        "bank_account_number": "4000023409200123456",
        "cnaps_code": "102584002345",
    },
    {
        "kind": ApplicantKind.ORGANISATION,
        "name": "广州珠江生物材料研究院",
        "name_en": "Guangzhou Pearl River Institute of Biomaterials",
        "uscc": demo_uscc("440101", "MB2C7N4L1"),
        "city": GuangdongCity.GUANGZHOU,
        "address": "广州市天河区五山路 381 号",
        "contact_person": "李珺",
        "phone": "020-87110000",
        "email": "tech-transfer@prbio.example",
        "bank_account_name": "广州珠江生物材料研究院",
        "bank_name": "中国银行广州天河支行",
        "bank_account_number": "6217857000012345678",
        "cnaps_code": "104581003012",
    },
    {
        "kind": ApplicantKind.INDIVIDUAL,
        "name": "黄喆",
        "name_en": "Huang Zhe",
        "id_kind": PersonalIdKind.RESIDENT_ID,
        "id_number": demo_resident_id("440604", "19860315", "123"),
        "city": GuangdongCity.FOSHAN,
        "address": "佛山市禅城区季华五路 22 号",
        "contact_person": "黄喆",
        "phone": "13800138000",
        "email": "huang.zhe@example.cn",
        "bank_account_name": "黄喆",
        "bank_name": "招商银行佛山分行",
        "bank_account_number": "6225880212345678",
        "cnaps_code": "308588000019",
    },
]

CLAIMS: list[DemoClaim] = [
    DemoClaim(
        0,
        "HK1250001 B",
        "一种高效率微型发光二极管阵列",
        "High-efficiency micro LED array",
        PatentRoute.REREGISTRATION,
        40,
        [(CostType.OFFICIAL_FEE, "2100.00", Currency.HKD), (CostType.AGENCY_FEE, "12000.00", Currency.CNY)],
        ApplicationStatus.SUBMITTED,
    ),
    DemoClaim(
        0,
        "HK1250002",
        "光学镜头的自动对焦装置",
        "Autofocus device for optical lenses",
        PatentRoute.REREGISTRATION,
        75,
        [(CostType.OFFICIAL_FEE, "1600.00", Currency.CNY), (CostType.TRANSLATION_FEE, "3000.00", Currency.CNY)],
        ApplicationStatus.UNDER_REVIEW,
    ),
    DemoClaim(
        1,
        "HK30012345 B",
        "可降解骨科固定材料及其制备方法",
        "Degradable orthopaedic fixation material and its preparation",
        PatentRoute.ORIGINAL_GRANT,
        120,
        [(CostType.OFFICIAL_FEE, "4800.00", Currency.HKD), (CostType.AGENCY_FEE, "9000.00", Currency.CNY)],
        ApplicationStatus.SUBMITTED,
    ),
    DemoClaim(
        1,
        "HK1250003",
        "一种医用水凝胶敷料",
        "Medical hydrogel dressing",
        PatentRoute.REREGISTRATION,
        30,
        [(CostType.AGENCY_FEE, "6000.00", Currency.CNY)],
        ApplicationStatus.WITHDRAWN,
    ),
    DemoClaim(
        1,
        "HK1250005",
        "一种用于伤口修复的胶原蛋白支架",
        "Collagen scaffold for wound repair",
        PatentRoute.REREGISTRATION,
        50,
        [(CostType.OFFICIAL_FEE, "3200.00", Currency.HKD), (CostType.AGENCY_FEE, "7000.00", Currency.CNY)],
        ApplicationStatus.APPROVED,
    ),
    DemoClaim(
        0,
        "HK1250006",
        "基于深度学习的光谱分析方法",
        "Deep-learning spectral analysis method",
        PatentRoute.ORIGINAL_GRANT,
        90,
        [(CostType.AGENCY_FEE, "15000.00", Currency.CNY)],
        ApplicationStatus.AWAITING_DECISION,
    ),
    DemoClaim(
        2,
        "HK1250007",
        "可调节儿童安全座椅",
        "Adjustable child safety seat",
        PatentRoute.REREGISTRATION,
        60,
        [(CostType.OFFICIAL_FEE, "1200.00", Currency.CNY), (CostType.TRANSLATION_FEE, "2000.00", Currency.CNY)],
        ApplicationStatus.REJECTED,
    ),
    DemoClaim(
        1,
        "HK1250008",
        "一种抗菌医用导管",
        "Antibacterial medical catheter",
        PatentRoute.REREGISTRATION,
        25,
        [(CostType.AGENCY_FEE, "5000.00", Currency.CNY)],
        ApplicationStatus.INFO_REQUESTED,
    ),
    DemoClaim(
        2,
        "HK1250004",
        "折叠式电动自行车车架",
        "Folding electric bicycle frame",
        PatentRoute.REREGISTRATION,
        20,
        [(CostType.OFFICIAL_FEE, "900.00", Currency.CNY)],
        ApplicationStatus.DRAFT,
    ),
    # Approved weeks ago, notice over, and released for payment in DEMO-BATCH-1.
    DemoClaim(
        0,
        "HK1250009",
        "一种柔性显示面板的封装结构",
        "Encapsulation structure for flexible display panels",
        PatentRoute.REREGISTRATION,
        100,
        [(CostType.OFFICIAL_FEE, "2600.00", Currency.CNY), (CostType.AGENCY_FEE, "8000.00", Currency.CNY)],
        ApplicationStatus.IN_PAYMENT,
    ),
    DemoClaim(
        2,
        "HK1250010",
        "便携式电动自行车充电装置",
        "Portable e-bike charging device",
        PatentRoute.REREGISTRATION,
        80,
        [(CostType.OFFICIAL_FEE, "1500.00", Currency.CNY), (CostType.TRANSLATION_FEE, "2500.00", Currency.CNY)],
        ApplicationStatus.IN_PAYMENT,
    ),
]

DEMO_BATCH = "DEMO-BATCH-1"


def demo_accounts() -> dict[str, Any]:
    user_model = get_user_model()
    users = {}
    for email, role in DEMO_ACCOUNTS:
        user, created = user_model.objects.get_or_create(username=email, defaults={"email": email})
        if created:
            user.set_password(DEMO_PASSWORD)
            user.is_staff = role == Role.SCHEME_ADMIN
            user.is_superuser = role == Role.SCHEME_ADMIN
            user.save()
            user.groups.add(Group.objects.get_or_create(name=role.value)[0])
        users[role.value] = user
    return users


@transaction.atomic
def load_demo(today: dt.date | None = None) -> dict[str, Any]:
    today = today or timezone.localdate()
    users = demo_accounts()
    if FundingRound.objects.filter(code="demo-2026").exists():
        return users
    funding_round = FundingRound.objects.create(
        name="2026 年度香港标准专利资助 / 2026 HK standard patent subsidy",
        code="demo-2026",
        budget=Decimal("5000000.00"),
        opens_on=today - dt.timedelta(days=60),
        closes_on=today + dt.timedelta(days=300),
        grant_date_from=today - dt.timedelta(days=365),
        grant_date_to=today + dt.timedelta(days=300),
    )
    for back in range(0, 400, 1):
        day = today - dt.timedelta(days=back)
        ExchangeRate.objects.create(
            currency=Currency.HKD,
            on_date=day,
            rate_to_cny=Decimal("0.912300"),
            source="中国人民银行人民币汇率中间价 (demo)",
        )
    applicant_user, agent_user = users[Role.APPLICANT.value], users[Role.AGENT.value]
    applicants = [
        applicant_services.applicant_create(by=agent_user if i < 2 else applicant_user, fields=fields)  # type: ignore[arg-type]
        for i, fields in enumerate(APPLICANTS)
    ]
    for serial, claim in enumerate(CLAIMS, start=1):
        applicant = applicants[claim.applicant_index]
        by = agent_user if claim.applicant_index < 2 else applicant_user
        application = application_services.application_create_draft(
            applicant=applicant, funding_round=funding_round, by=by
        )
        designated = claim.route == PatentRoute.REREGISTRATION
        application_services.application_set_patent(
            application=application,
            by=by,
            fields={
                "hk_number": claim.hk_number,
                "route": claim.route,
                "designated_office": DesignatedOffice.CNIPA if designated else "",
                "designated_application_number": demo_cnipa(2023, f"{serial:07d}") if designated else "",
                "title_zh": claim.title_zh,
                "title_en": claim.title_en,
                "grant_date": today - dt.timedelta(days=claim.days_since_grant),
            },
            proprietors=[applicant.name],
        )
        application_services.application_set_costs(
            application=application,
            by=by,
            items=[
                {
                    "cost_type": cost_type,
                    "amount": Decimal(amount),
                    "currency": currency,
                    "paid_on": today - dt.timedelta(days=claim.days_since_grant + 10),
                    "receipt_number": f"R-{serial:03d}-{n}",
                }
                for n, (cost_type, amount, currency) in enumerate(claim.costs, start=1)
            ],
        )
        if claim.final_status == ApplicationStatus.DRAFT:
            continue
        identity = (
            DocumentType.BUSINESS_LICENCE if applicant.kind == ApplicantKind.ORGANISATION else DocumentType.IDENTITY
        )
        for doc_type in (DocumentType.GRANT_CERTIFICATE, DocumentType.FEE_RECEIPT, identity):
            document_services.document_upload(
                application=application,
                by=by,
                doc_type=doc_type,
                upload=SimpleUploadedFile(f"{doc_type}.pdf", TINY_PDF, content_type="application/pdf"),
            )
        application_services.application_set_declarations(
            application=application, by=by, true_and_complete=True, no_double_funding=True, consent_to_checks=True
        )
        application_services.application_submit(application=application, by=by, ip="127.0.0.1")
        if claim.final_status == ApplicationStatus.WITHDRAWN:
            application_services.application_withdraw(
                application=application, by=by, ip="127.0.0.1", comment="申请人决定撤回 / withdrawn by the applicant"
            )
        else:
            advance_demo_claim(application, claim.final_status, users)
    demo_batch(users, today)
    return users


def demo_batch(users: dict[str, Any], today: dt.date) -> None:
    """Release DEMO-BATCH-1 with the claims meant to be in payment. Their public notice
    is moved into the past first: in the demo they were approved weeks ago."""
    from subsidy.models import Application
    from subsidy.services import batches

    due = Application.objects.filter(
        patent__hk_number__in=[c.hk_number for c in CLAIMS if c.final_status == ApplicationStatus.IN_PAYMENT]
    )
    # Submitted before they were decided, so the reports' processing times stay positive.
    due.update(
        notice_ends_on=today - dt.timedelta(days=10),
        submitted_at=timezone.now() - dt.timedelta(days=35),
        decided_at=timezone.now() - dt.timedelta(days=21),
    )
    # Issue the letters now rather than by the worker, so that the batch lines quote them.
    issue_pending_letters()
    officer, approver = users[Role.FINANCE_OFFICER.value], users[Role.FINANCE_APPROVER.value]
    batch = batches.batch_create(by=officer, reference=DEMO_BATCH)
    batches.batch_submit(batch=batch, by=officer)
    batches.batch_release(batch=batch, by=approver)


def issue_pending_letters() -> int:
    from subsidy.models import Letter, LetterStatus
    from subsidy.services.letters import letter_issue

    pending = list(Letter.objects.filter(status=LetterStatus.PENDING).values_list("pk", flat=True))
    for letter_id in pending:
        letter_issue(letter_id=letter_id)
    return len(pending)


def advance_demo_claim(application: Any, status: str, users: dict[str, Any]) -> None:
    """Take a submitted demo claim through review to `status`, as staff would."""
    from subsidy.rules import SUBMISSION_RULES
    from subsidy.services import reviews

    if status == ApplicationStatus.SUBMITTED:
        return
    reviewer, approver = users[Role.REVIEWER.value], users[Role.APPROVER.value]
    reviews.conflict_declare(application=application, by=reviewer, has_conflict=False)
    reviews.application_start_review(application=application, by=reviewer)
    if status == ApplicationStatus.UNDER_REVIEW:
        return
    if status == ApplicationStatus.INFO_REQUESTED:
        reviews.application_request_info(
            application=application,
            by=reviewer,
            message="请补充上传香港知识产权署出具的 P5 表格（注册与批予请求）。\n"
            "Please upload the P5 form (request for registration and grant) as filed.",
            deadline=timezone.localdate() + dt.timedelta(days=14),
        )
        return
    reviews.checklist_record_all(
        application=application, by=reviewer, findings=[(rule.__name__, True, "") for rule in SUBMISSION_RULES]
    )
    if status == ApplicationStatus.REJECTED:
        reviews.application_recommend(
            application=application,
            by=reviewer,
            recommendation="reject",
            reason="已就同一费用获得其他财政资助。/ The same fees were subsidised by another public programme.",
        )
    else:
        reviews.application_recommend(application=application, by=reviewer, recommendation="approve")
    if status == ApplicationStatus.AWAITING_DECISION:
        return
    reviews.conflict_declare(application=application, by=approver, has_conflict=False)
    if status in (ApplicationStatus.APPROVED, ApplicationStatus.IN_PAYMENT):
        reviews.application_approve(application=application, by=approver, comment="同意资助。")
    else:
        reviews.application_reject(
            application=application,
            by=approver,
            reason="已就同一费用获得其他财政资助。/ The same fees were subsidised by another public programme.",
        )
