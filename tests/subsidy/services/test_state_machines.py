"""Property-based: random sequences of transitions by random people (allowed and
forbidden) over three claims of one funding round and the disbursement batches that
pay them, through the real services on the real PostgreSQL server. After every step:

- the budget is never exceeded: the round's reservation is exactly the approved
  amounts of approved, in-payment and paid claims, and never more than the budget;
- a claim has at most one live (pending or paid) payment line;
- every state change of a claim or a batch has exactly one audit row: read in order,
  the audit rows of the FSM transitions chain from the first state to the current one;
- no amount is negative, and what was paid never exceeds what was approved;
- the approver of a claim is never its reviewer;
- a refused step (wrong role, wrong state, over budget) changes nothing at all.

Each example runs inside a savepoint that is rolled back afterwards, so every example
starts from the same database."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Sum
from django.utils import timezone
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, rule, run_state_machine_as_test

from subsidy.exceptions import DomainError
from subsidy.models import (
    LIVE_LINE_STATUSES,
    RESERVED_STATUSES,
    Application,
    ApplicationStatus,
    AuditEntry,
    Batch,
    BatchLine,
    BatchStatus,
    ExportFormat,
    FundingRound,
    Letter,
    LetterKind,
    LetterStatus,
    LineStatus,
    Role,
)
from subsidy.rules import RULE_SETS
from subsidy.services import applications as applicant_side
from subsidy.services import batches, reviews
from tests.factories import ApplicationFactory, FundingRoundFactory, UserFactory, cleared, finance_staff, today
from tests.subsidy.exports.bank_files import craft_pain002

pytestmark = pytest.mark.django_db

APPLICATION_TRANSITIONS = {
    "submit",
    "start_review",
    "request_info",
    "resubmit",
    "lapse",
    "recommend",
    "return_to_review",
    "approve",
    "reject",
    "reopen",
    "schedule_payment",
    "confirm_paid",
    "payment_failed",
    "withdraw",
}
BATCH_TRANSITIONS = {"submit", "release", "mark_exported", "reconcile", "cancel", "withdraw"}
CLAIMS = 3
PEOPLE = [
    "applicant",
    "reviewer",
    "other_reviewer",
    "approver",
    "reviewer_and_approver",
    "officer",
    "releaser",
    "auditor",
    "scheme_admin",
]


# The machine's source is Hypothesis's seed (derandomize): its text stays as it was, so
# the runs take the same path. The HK rule set's functions are named as their codes.
SUBMISSION_RULES = RULE_SETS["hk_standard_patent"].rules


class Refused(Exception):
    pass


class SubsidyMachine(RuleBasedStateMachine):
    # States reached over the whole run, so that the test can show it went deep.
    reached: set[str] = set()

    @initialize()
    def start(self) -> None:
        self.savepoint = transaction.savepoint()
        # Room for two claims of 4,000 but not three: approvals compete for the budget.
        self.round = FundingRoundFactory(budget=Decimal("10000.00"))
        applicant = UserFactory()
        self.claims: list[Application] = [
            ApplicationFactory.create(funding_round=self.round, created_by=applicant) for _ in range(CLAIMS)
        ]
        self.people = {
            "applicant": applicant,
            "reviewer": UserFactory(role=Role.REVIEWER),
            "other_reviewer": UserFactory(role=Role.REVIEWER),
            "approver": UserFactory(role=Role.APPROVER),
            "reviewer_and_approver": finance_staff(Role.REVIEWER, Role.APPROVER),
            "officer": UserFactory(role=Role.FINANCE_OFFICER),
            "releaser": finance_staff(Role.FINANCE_APPROVER, Role.FINANCE_OFFICER),
            "auditor": UserFactory(role=Role.AUDITOR),
            "scheme_admin": UserFactory(role=Role.SCHEME_ADMIN),
        }
        for claim in self.claims:
            for name in PEOPLE[1:5]:
                cleared(claim, self.people[name])
        self.batches: list[Batch] = []
        self.refusals = 0

    def teardown(self) -> None:
        if hasattr(self, "savepoint"):
            transaction.savepoint_rollback(self.savepoint)

    # ---- running a step ------------------------------------------------------

    def attempt(self, call) -> bool:
        """Run a service; a refusal must leave no trace (no audit row, no state change)."""
        before = self.state()
        try:
            call()
        except (DomainError, ValidationError):
            self.refusals += 1
            assert self.state() == before, "a refused step changed something"
            return False
        return True

    def state(self):
        return (
            AuditEntry.objects.count(),
            tuple(Application.objects.filter(funding_round=self.round).order_by("pk").values_list("status", flat=True)),
            tuple(Batch.objects.order_by("pk").values_list("status", flat=True)),
            tuple(BatchLine.objects.order_by("pk").values_list("status", flat=True)),
            FundingRound.objects.get(pk=self.round.pk).reserved_amount,
        )

    def claim(self, index: int) -> Application:
        return Application.objects.get(pk=self.claims[index].pk)

    # ---- claim transitions ---------------------------------------------------

    claim_index = st.integers(0, CLAIMS - 1)
    # None: the person whose job the step is (so that runs get far); otherwise anyone.
    person = st.one_of(st.none(), st.sampled_from(PEOPLE))

    def by(self, who, proper):
        return self.people[who or proper]

    def reviewer_of(self, i):
        reviewer_id = self.claim(i).reviewer_id
        return next((name for name, user in self.people.items() if user.pk == reviewer_id), "reviewer")

    @rule(i=claim_index, who=person)
    def submit(self, i, who):
        self.attempt(lambda: applicant_side.application_submit(application=self.claim(i), by=self.by(who, "applicant")))

    @rule(i=claim_index, who=person)
    def start_review(self, i, who):
        self.attempt(lambda: reviews.application_start_review(application=self.claim(i), by=self.by(who, "reviewer")))

    @rule(i=claim_index, who=person)
    def request_info(self, i, who):
        self.attempt(
            lambda: reviews.application_request_info(
                application=self.claim(i),
                by=self.by(who, self.reviewer_of(i)),
                message="Send the receipt.",
                deadline=today() + dt.timedelta(days=14),
            )
        )

    @rule(i=claim_index, who=person)
    def resubmit(self, i, who):
        self.attempt(
            lambda: applicant_side.application_resubmit(application=self.claim(i), by=self.by(who, "applicant"))
        )

    @rule(i=claim_index, who=person, approve=st.booleans())
    def recommend(self, i, who, approve):
        def run():
            claim = self.claim(i)
            if approve:
                findings = [(r.__name__, True, "") for r in SUBMISSION_RULES]
                reviews.checklist_record_all(application=claim, by=self.by(who, self.reviewer_of(i)), findings=findings)
            reviews.application_recommend(
                application=claim,
                by=self.by(who, self.reviewer_of(i)),
                recommendation="approve" if approve else "reject",
                reason="" if approve else "Not eligible.",
            )

        self.attempt(run)

    @rule(i=claim_index, who=person)
    def approve(self, i, who):
        self.attempt(lambda: reviews.application_approve(application=self.claim(i), by=self.by(who, "approver")))

    @rule(i=claim_index, who=person)
    def reject(self, i, who):
        self.attempt(
            lambda: reviews.application_reject(
                application=self.claim(i), by=self.by(who, "approver"), reason="Not eligible."
            )
        )

    @rule(i=claim_index, who=person)
    def return_to_review(self, i, who):
        self.attempt(
            lambda: reviews.application_return_to_review(
                application=self.claim(i), by=self.by(who, "approver"), comment="Check"
            )
        )

    @rule(i=claim_index, who=person)
    def object(self, i, who):
        self.attempt(
            lambda: reviews.application_record_objection(
                application=self.claim(i), by=self.by(who, "scheme_admin"), objection="The patent belongs to us."
            )
        )

    @rule(i=claim_index)
    def notice_period_ends(self, i):
        """Time passes: the claim's public notice is over (payable from now on)."""
        Application.objects.filter(pk=self.claims[i].pk, notice_ends_on__isnull=False).update(
            notice_ends_on=timezone.localdate() - dt.timedelta(days=1)
        )
        # Meanwhile the task worker issued the approval letter (batches pay only claims
        # with one); a row stands for the rendered PDF.
        Letter.objects.filter(
            application_id=self.claims[i].pk, kind=LetterKind.APPROVAL, status=LetterStatus.PENDING
        ).update(status=LetterStatus.ISSUED, issued_at=timezone.now(), file="letters/x.pdf", sha256="0" * 64)

    reviewers = st.sampled_from(PEOPLE[1:5])

    # Forward steps are offered under three names each, so that runs get far enough.
    @rule(i=claim_index, reviewer=reviewers, approver=reviewers)
    def advance(self, i, reviewer, approver):
        self.next_step(i, reviewer, approver)

    @rule(i=claim_index, reviewer=reviewers, approver=reviewers)
    def advance_again(self, i, reviewer, approver):
        self.next_step(i, reviewer, approver)

    @rule(i=claim_index, reviewer=reviewers, approver=reviewers)
    def advance_once_more(self, i, reviewer, approver):
        self.next_step(i, reviewer, approver)

    def next_step(self, i, reviewer, approver):
        """The claim's next step on the way to payment, by someone who may (mostly) take
        it: random steps alone rarely get a claim far. `reviewer_and_approver` may review
        a claim and then try to approve it too, which must be refused."""
        claim = self.claim(i)
        status = claim.status
        if status == ApplicationStatus.DRAFT:
            self.submit(i, None)
        elif status == ApplicationStatus.SUBMITTED:
            self.start_review(i, reviewer)
        elif status == ApplicationStatus.UNDER_REVIEW:
            self.recommend(i, None, approve=True)
        elif status == ApplicationStatus.INFO_REQUESTED:
            self.resubmit(i, None)
        elif status == ApplicationStatus.AWAITING_DECISION:
            self.approve(i, approver)
        elif status == ApplicationStatus.APPROVED:
            self.notice_period_ends(i)

    # The bank pays some lines and rejects others.
    outcomes = st.lists(st.booleans(), min_size=CLAIMS, max_size=CLAIMS).filter(lambda o: any(o) and not all(o))

    @rule(outcomes=outcomes)
    def advance_batch(self, outcomes):
        self.next_batch_step(outcomes)

    @rule(outcomes=outcomes)
    def advance_batch_again(self, outcomes):
        self.next_batch_step(outcomes)

    def next_batch_step(self, outcomes):
        """The newest batch's next step, by the finance person whose job it is."""
        batch = self.batch(-1)
        if batch is None or batch.status in (BatchStatus.RECONCILED, BatchStatus.CANCELLED):
            self.build_batch(None)
        elif batch.status == BatchStatus.DRAFT:
            self.submit_batch(-1, None)
        elif batch.status == BatchStatus.SUBMITTED:
            self.release_batch(-1, None)
        elif batch.status == BatchStatus.RELEASED:
            self.export_batch(-1, None)
        else:
            # Alternate from batch to batch whether the bank rejects the first line, so
            # that every run sees failed payments (and their claims batched again).
            first_paid = len(self.batches) % 2 == 0
            self.bank_return(-1, None, [first_paid, *outcomes[1:]])

    # ---- batch transitions ---------------------------------------------------

    batch_index = st.integers(0, 3)

    def batch(self, index: int) -> Batch | None:
        if not self.batches:
            return None
        return Batch.objects.get(pk=self.batches[index % len(self.batches) if index >= 0 else index].pk)

    @rule(who=person)
    def build_batch(self, who):
        def run():
            self.batches.append(batches.batch_create(by=self.by(who, "officer")))

        self.attempt(run)

    @rule(b=batch_index, who=person)
    def submit_batch(self, b, who):
        if (batch := self.batch(b)) is not None:
            self.attempt(lambda: batches.batch_submit(batch=batch, by=self.by(who, "officer")))

    @rule(b=batch_index, who=person)
    def release_batch(self, b, who):
        if (batch := self.batch(b)) is not None:
            self.attempt(lambda: batches.batch_release(batch=batch, by=self.by(who, "releaser")))

    @rule(b=batch_index, who=person)
    def cancel_batch(self, b, who):
        if (batch := self.batch(b)) is not None:
            self.attempt(
                lambda: batches.batch_cancel(batch=batch, by=self.by(who, "officer"), reason="Wrong selection.")
            )

    @rule(b=batch_index, who=person)
    def export_batch(self, b, who):
        if (batch := self.batch(b)) is not None:
            self.attempt(
                lambda: batches.batch_export(
                    batch=batch, export_format=ExportFormat.PAIN001, by=self.by(who, "officer")
                ).file.close()
            )

    @rule(b=batch_index, who=person, outcomes=outcomes)
    def bank_return(self, b, who, outcomes):
        """The bank pays or rejects each pending line (True = paid)."""
        if (batch := self.batch(b)) is None:
            return
        lines = list(batch.lines.filter(status=LineStatus.PENDING).order_by("sequence"))
        if not lines:
            return
        report = craft_pain002(
            batch.reference,
            [
                (line.application_reference, line.amount, "ACSC" if paid else "RJCT")
                for line, paid in zip(lines, outcomes, strict=False)
            ],
            today(),
        )
        self.attempt(lambda: batches.batch_import_return(batch=batch, data=report, by=self.by(who, "officer")))

    # ---- invariants ----------------------------------------------------------

    @invariant()
    def note_states_reached(self):
        claims = Application.objects.filter(pk__in=[c.pk for c in getattr(self, "claims", [])])
        SubsidyMachine.reached.update(claims.values_list("status", flat=True))
        SubsidyMachine.reached.update(f"batch {s}" for s in Batch.objects.values_list("status", flat=True))
        SubsidyMachine.reached.update(f"line {s}" for s in BatchLine.objects.values_list("status", flat=True))

    @invariant()
    def budget_is_never_exceeded(self):
        if not hasattr(self, "round"):
            return
        funding_round = FundingRound.objects.get(pk=self.round.pk)
        reserved = Application.objects.filter(funding_round=funding_round, status__in=RESERVED_STATUSES).aggregate(
            t=Sum("approved_amount")
        )["t"] or Decimal("0.00")
        assert funding_round.reserved_amount == reserved
        assert Decimal("0.00") <= funding_round.reserved_amount <= funding_round.budget

    @invariant()
    def at_most_one_live_line_per_claim(self):
        for claim in getattr(self, "claims", []):
            assert BatchLine.objects.filter(application=claim, status__in=LIVE_LINE_STATUSES).count() <= 1

    @invariant()
    def every_state_change_has_exactly_one_audit_row(self):
        for claim in getattr(self, "claims", []):
            self.assert_chain(Application.objects.get(pk=claim.pk), APPLICATION_TRANSITIONS, ApplicationStatus.DRAFT)
        for batch in Batch.objects.all():
            self.assert_chain(batch, BATCH_TRANSITIONS, BatchStatus.DRAFT)

    @staticmethod
    def assert_chain(subject, transitions, first):
        rows = AuditEntry.objects.for_object(subject).filter(transition__in=transitions).order_by("at", "id")
        state = str(first)
        for row in rows:
            assert row.from_state == state, (subject, row.transition, row.from_state, state)
            state = row.to_state
        assert state == subject.status

    @invariant()
    def amounts_are_never_negative_and_paid_never_exceeds_approved(self):
        claims = Application.objects.filter(pk__in=[c.pk for c in getattr(self, "claims", [])])
        for claim in claims:
            for amount in (claim.requested_amount, claim.recommended_amount, claim.approved_amount):
                assert amount is None or amount >= 0
            paid = BatchLine.objects.filter(application=claim, status=LineStatus.PAID).aggregate(t=Sum("amount"))["t"]
            if paid is not None:
                assert claim.status == ApplicationStatus.PAID
                assert claim.approved_amount is not None and paid <= claim.approved_amount
        assert not BatchLine.objects.filter(amount__lt=0).exists()
        paid_total = BatchLine.objects.filter(status=LineStatus.PAID).aggregate(t=Sum("amount"))["t"] or 0
        approved_total = claims.filter(status__in=RESERVED_STATUSES).aggregate(t=Sum("approved_amount"))["t"] or 0
        assert paid_total <= approved_total

    @invariant()
    def the_approver_is_never_the_reviewer(self):
        for claim in Application.objects.filter(pk__in=[c.pk for c in getattr(self, "claims", [])]):
            if claim.approver_id is not None:
                assert claim.approver_id != claim.reviewer_id


def test_claims_and_batches_keep_their_invariants_under_random_steps(db):
    SubsidyMachine.reached = set()
    run_state_machine_as_test(
        SubsidyMachine,
        settings=settings(
            max_examples=8,
            stateful_step_count=100,
            deadline=None,
            derandomize=True,
            suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
        ),
    )
    # The runs went all the way: claims approved, paid and failed, batches reconciled.
    expected = {"approved", "in_payment", "paid", "batch released", "batch reconciled", "line paid", "line failed"}
    assert expected <= SubsidyMachine.reached, sorted(SubsidyMachine.reached)
