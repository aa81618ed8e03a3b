"""Realistic demo data for `make run`: a funding round, an account for every role,
and claims in several states, all made through the domain services."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.utils import timezone

from subsidy.demo_data import (
    APPLICANTS,
    CLAIMS,
    DEMO_ACCOUNTS,
    DEMO_BATCH,
    DEMO_PAID_BATCH,
    DEMO_PASSWORD,
    PAID,
    PAYABLE_OUTCOMES,
    PAYMENT_RETURNED,
    READY_TO_PAY,
    TINY_PDF,
    demo_cnipa,
)
from subsidy.demo_schemes import load_scheme_demo
from subsidy.models import (
    ApplicantKind,
    ApplicationStatus,
    Currency,
    DesignatedOffice,
    DocumentType,
    ExchangeRate,
    FundingRound,
    PatentRoute,
    Role,
)
from subsidy.models.schemes import hk_standard_patent_scheme
from subsidy.services import applicants as applicant_services
from subsidy.services import applications as application_services
from subsidy.services import documents as document_services


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
        scheme=hk_standard_patent_scheme(),
        name="2026 年度香港标准专利资助",
        name_en="2026 HK standard patent subsidy",
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

    def filer(applicant_index: int) -> Any:
        """黄喆 files his own claims; an IP agency files for everyone else, as authorised."""
        return applicant_user if applicant_index == 2 else agent_user

    applicants = [
        applicant_services.applicant_create(by=filer(i), fields=fields)  # type: ignore[arg-type]
        for i, fields in enumerate(APPLICANTS)
    ]
    for serial, claim in enumerate(CLAIMS, start=1):
        applicant = applicants[claim.applicant_index]
        by = filer(claim.applicant_index)
        application = application_services.application_create_draft(
            applicant=applicant, funding_round=funding_round, by=by
        )
        designated = claim.route == PatentRoute.REREGISTRATION
        application_services.application_set_patent(
            application=application,
            by=by,
            fields={
                "number": claim.hk_number,
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
                count=False,  # loading the demo is not someone uploading
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
    load_scheme_demo(users, applicants, today)
    demo_paid_batch(users, today)
    demo_batch(users, today)
    end_notice(READY_TO_PAY, today, decided_days_ago=12)
    # The lapsed claim's information request (deadline tomorrow) runs out, as the timer would.
    from subsidy.services.reviews import applications_lapse_overdue

    applications_lapse_overdue(today=today + dt.timedelta(days=2))
    return users


def end_notice(outcome: str, today: dt.date, *, decided_days_ago: int) -> None:
    """Move the claims meant for `outcome` back in time: decided weeks ago, so their public
    notice is over and they may be paid (submitted before, so reports stay positive)."""
    from subsidy.models import Application

    Application.objects.filter(patent__number__in=[c.hk_number for c in CLAIMS if c.final_status == outcome]).update(
        notice_ends_on=today - dt.timedelta(days=decided_days_ago - 10),
        submitted_at=timezone.now() - dt.timedelta(days=decided_days_ago + 14),
        decided_at=timezone.now() - dt.timedelta(days=decided_days_ago),
    )


def demo_paid_batch(users: dict[str, Any], today: dt.date) -> None:
    """Last month's batch, exported and reconciled: the bank paid every line but one,
    whose account had been closed; that claim went back to approved and is paid again
    in DEMO-BATCH-1."""
    from subsidy.models import Application, Batch
    from subsidy.services import batches

    end_notice(PAID, today, decided_days_ago=60)
    end_notice(PAYMENT_RETURNED, today, decided_days_ago=60)
    issue_pending_letters()
    officer, approver = users[Role.FINANCE_OFFICER.value], users[Role.FINANCE_APPROVER.value]
    batch = batches.batch_create(by=officer, reference=DEMO_PAID_BATCH)
    batches.batch_submit(batch=batch, by=officer)
    batches.batch_release(batch=batch, by=approver)
    # Released last month: the bank's payment dates must fall after the release (the
    # return file's date window, subsidy.services.batches.return_date_window).
    Batch.objects.filter(pk=batch.pk).update(released_at=timezone.now() - dt.timedelta(days=21))
    batch.refresh_from_db()
    batches.batch_export(batch=batch, export_format="csv", by=officer).file.close()
    returned = set(
        Application.objects.filter(
            patent__number__in=[c.hk_number for c in CLAIMS if c.final_status == PAYMENT_RETURNED]
        ).values_list("pk", flat=True)
    )
    paid_on = today - dt.timedelta(days=20)
    rows = ["reference,status,bank_reference,reason,amount,paid_on"]
    for line in batch.lines.order_by("pk"):
        if line.application_id in returned:
            rows.append(f"{line.application_reference},failed,,账户已销户 / account closed,{line.amount},")
        else:
            rows.append(f"{line.application_reference},paid,ICBC{line.pk:08d},,{line.amount},{paid_on.isoformat()}")
    batches.batch_import_return(batch=batch, data="\n".join(rows).encode(), filename="demo-return-0.csv", by=officer)


def demo_batch(users: dict[str, Any], today: dt.date) -> None:
    """Release DEMO-BATCH-1 with the claims meant to be in payment (and the one the bank
    returned from DEMO-BATCH-0). Their public notice is moved into the past first: in the
    demo they were approved weeks ago."""
    from subsidy.services import batches

    end_notice(ApplicationStatus.IN_PAYMENT, today, decided_days_ago=21)
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
    from subsidy.rules import rule_set_of
    from subsidy.services import reviews

    if status in PAYABLE_OUTCOMES:
        status = ApplicationStatus.APPROVED
    if status == ApplicationStatus.SUBMITTED:
        return
    reviewer, approver = users[Role.REVIEWER.value], users[Role.APPROVER.value]
    reviews.conflict_declare(application=application, by=reviewer, has_conflict=False)
    reviews.application_start_review(application=application, by=reviewer)
    if status == ApplicationStatus.UNDER_REVIEW:
        return
    if status in (ApplicationStatus.INFO_REQUESTED, ApplicationStatus.LAPSED):
        # The lapsed claim's request runs out tomorrow; load_demo then runs the lapse job.
        days = 1 if status == ApplicationStatus.LAPSED else 14
        reviews.application_request_info(
            application=application,
            by=reviewer,
            message="请补充上传香港知识产权署出具的 P5 表格（注册与批予请求）。\n"
            "Please upload the P5 form (request for registration and grant) as filed.",
            deadline=timezone.localdate() + dt.timedelta(days=days),
        )
        return
    reviews.checklist_record_all(
        application=application,
        by=reviewer,
        findings=[(code, True, "") for code in rule_set_of(application.funding_round).codes],
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
