"""The demo's second and third schemes, made of data only: a Guangdong subsidy for
invention patents granted abroad (strategy outline item 11, a fixed amount per office)
and Shenzhen's top-up of HK standard patents, both under the policy ceiling (CNIPA
2021: all public support for a patent family within half of its official fees).

Their claims show the ceiling at work: a European patent of the same family as an HK
patent the province already paid is cut to what the ceiling leaves; a top-up within it
is paid in full; a US patent waits for review. A Shenzhen reviewer sees the top-up's
cases only."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any, cast

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.files.uploadedfile import SimpleUploadedFile

from subsidy.models import (
    Applicant,
    Application,
    ApplicationStatus,
    CostType,
    Currency,
    DocumentType,
    FundingRound,
    Role,
    Scheme,
    StaffScope,
)
from subsidy.services import applications as application_services
from subsidy.services import documents as document_services
from subsidy.services.applications import PatentFields

ABROAD_SCHEME = {
    "code": "gd-abroad-invention",
    "name": "广东省境外授权发明专利资助计划",
    "name_en": "Guangdong Subsidy Scheme for Invention Patents Granted Abroad",
    "legal_basis": "《广东省知识产权保护和运用“十四五”规划》第 11 项；国知发保字（2021）1号",
    "reference_prefix": "GDAB",
    "offices": ["US", "EP", "JP", "KR"],
    "rule_set": "granted_invention_patent",
    "amount_method": "fixed_by_office",
    "required_documents": [DocumentType.GRANT_CERTIFICATE.value, DocumentType.FEE_RECEIPT.value],
    "ceiling_share": Decimal("0.5000"),
}
TOP_UP_SCHEME = {
    "code": "sz-hk-top-up",
    "name": "深圳市香港标准专利资助（市级配套）",
    "name_en": "Shenzhen Top-up for Hong Kong Standard Patents",
    "legal_basis": "深圳市知识产权专项资金管理办法（示例）",
    "reference_prefix": "SZHK",
    "offices": ["HK"],
    "rule_set": "hk_standard_patent",
    "amount_method": "cost_share",
    "required_documents": [DocumentType.GRANT_CERTIFICATE.value, DocumentType.FEE_RECEIPT.value],
    "ceiling_share": Decimal("0.5000"),
}
# Amounts per office as Shenzhen set them in 深市监规(2022)10号.
ABROAD_AMOUNTS = {"EP": "17000.00", "US": "4500.00", "JP": "4500.00", "KR": "3000.00"}

SZ_REVIEWER = "sz.reviewer@demo.gdhk"

# (applicant index, scheme code, patent fields, official and other fees in CNY, where it ends)
SCHEME_CLAIMS: list[tuple[int, Any, dict[str, Any], list[tuple[str, str]], str]] = [
    (
        6,
        ABROAD_SCHEME["code"],
        {
            "office": "EP",
            "number": "EP 4 123 456 B1",
            # The Chinese first filing that the province's HK1250022 re-registers (its family).
            "priority_office": "CN",
            "title_zh": "无刷直流电机转子结构",
            "title_en": "Rotor structure for brushless DC motors",
        },
        [(CostType.OFFICIAL_FEE, "26000.00"), (CostType.AGENCY_FEE, "18000.00")],
        ApplicationStatus.APPROVED,
    ),
    (
        0,
        ABROAD_SCHEME["code"],
        {
            "office": "US",
            "number": "US 11,987,654 B2",
            "title_zh": "一种高亮度微型发光二极管",
            "title_en": "High-brightness micro light-emitting diode",
        },
        [(CostType.OFFICIAL_FEE, "12500.00"), (CostType.TRANSLATION_FEE, "6000.00")],
        ApplicationStatus.SUBMITTED,
    ),
    (
        0,
        TOP_UP_SCHEME["code"],
        {
            "number": "HK1250031",
            "route": "O",
            "title_zh": "光纤准直器及其制造方法",
            "title_en": "Fibre collimator and its manufacture",
        },
        [(CostType.OFFICIAL_FEE, "9000.00"), (CostType.AGENCY_FEE, "6000.00")],
        ApplicationStatus.APPROVED,
    ),
]


def load_scheme_demo(users: dict[str, Any], applicants: list[Applicant], today: dt.date) -> None:
    """The two schemes, their rounds, a Shenzhen reviewer and three claims."""
    from subsidy.demo import advance_demo_claim  # the demo's own loader, which imports this module
    from subsidy.demo_data import TINY_PDF

    abroad = _scheme(ABROAD_SCHEME)
    top_up = _scheme(TOP_UP_SCHEME)
    rounds = {
        abroad.code: _round(abroad, "demo-abroad-2026", "2026 年度境外授权发明专利资助", "2026 abroad-granted", today),
        top_up.code: _round(
            top_up, "demo-sz-2026", "2026 年度深圳市香港标准专利配套资助", "2026 Shenzhen top-up", today
        ),
    }
    FundingRound.objects.filter(pk=rounds[abroad.code].pk).update(
        amounts_by_office=ABROAD_AMOUNTS, eligible_cost_types=[CostType.OFFICIAL_FEE.value]
    )
    FundingRound.objects.filter(pk=rounds[top_up.code].pk).update(
        reimbursement_rate=Decimal("0.30"), per_patent_cap=Decimal("3000.00")
    )
    _sz_reviewer(top_up)
    agent = users[Role.AGENT.value]
    for serial, (index, code, patent, costs, outcome) in enumerate(SCHEME_CLAIMS, start=1):
        applicant = applicants[index]
        funding_round = FundingRound.objects.select_related("scheme").get(pk=rounds[code].pk)
        application = application_services.application_create_draft(
            applicant=applicant, funding_round=funding_round, by=agent
        )
        fields = {"grant_date": today - dt.timedelta(days=40), **patent}
        if fields.get("priority_office") == "CN":
            fields["priority_number"] = _family_of("HK1250022")
        application_services.application_set_patent(
            application=application, by=agent, fields=cast(PatentFields, fields), proprietors=[applicant.name]
        )
        application_services.application_set_costs(
            application=application,
            by=agent,
            items=[
                {
                    "cost_type": cost_type,
                    "amount": Decimal(amount),
                    "currency": Currency.CNY,
                    "paid_on": today - dt.timedelta(days=50),
                    "receipt_number": f"R-S{serial:02d}-{n}",
                }
                for n, (cost_type, amount) in enumerate(costs, start=1)
            ],
        )
        for doc_type in (DocumentType.GRANT_CERTIFICATE, DocumentType.FEE_RECEIPT, DocumentType.BUSINESS_LICENCE):
            document_services.document_upload(
                application=application,
                by=agent,
                doc_type=doc_type,
                upload=SimpleUploadedFile(f"{doc_type}.pdf", TINY_PDF, content_type="application/pdf"),
                count=False,
            )
        application_services.application_set_declarations(
            application=application, by=agent, true_and_complete=True, no_double_funding=True, consent_to_checks=True
        )
        application_services.application_submit(application=application, by=agent, ip="127.0.0.1")
        advance_demo_claim(application, outcome, users)


def _scheme(values: dict[str, Any]) -> Scheme:
    fields = {name: value for name, value in values.items() if name != "code"}
    return Scheme.objects.get_or_create(code=values["code"], defaults=fields)[0]


def _round(scheme: Scheme, code: str, name: str, name_en: str, today: dt.date) -> FundingRound:
    return FundingRound.objects.create(
        scheme=scheme,
        name=name,
        name_en=name_en,
        code=code,
        budget=Decimal("2000000.00"),
        opens_on=today - dt.timedelta(days=30),
        closes_on=today + dt.timedelta(days=300),
        grant_date_from=today - dt.timedelta(days=365),
        grant_date_to=today + dt.timedelta(days=300),
    )


def _sz_reviewer(top_up: Scheme) -> None:
    """A reviewer of Shenzhen's office: the top-up's cases only."""
    from subsidy.demo_data import DEMO_PASSWORD

    user, created = get_user_model().objects.get_or_create(username=SZ_REVIEWER, defaults={"email": SZ_REVIEWER})
    if created:
        user.set_password(DEMO_PASSWORD)
        user.save()
        user.groups.add(Group.objects.get_or_create(name=Role.REVIEWER.value)[0])
        StaffScope.objects.create(user=user, scheme=top_up)


def _family_of(hk_number: str) -> str:
    """The Chinese application an HK route R demo patent re-registers."""
    return str(
        Application.objects.filter(patent__number=hk_number).values_list(
            "patent__designated_application_number", flat=True
        )[0]
    )
