"""The steps of an online claim and which eligibility rules each step answers."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from subsidy.models import Application
from subsidy.rules import RuleResult, claim_deadline


@dataclass(frozen=True)
class Step:
    slug: str
    title: str | Promise
    url_name: str
    rule_codes: tuple[str, ...]


CLAIM_STEPS: list[Step] = [
    Step("applicant", _("Applicant"), "portal:claim_applicant", ("applicant_in_guangdong", "bank_account_given")),
    Step(
        "patent",
        _("Patent"),
        "portal:claim_patent",
        (
            "patent_is_standard",
            "claimant_is_first_proprietor",
            "grant_date_in_window",
            "claimed_within_deadline",
            "patent_not_claimed_before",
        ),
    ),
    Step("costs", _("Costs"), "portal:claim_costs", ("costs_are_eligible", "amount_within_caps")),
    Step("documents", _("Documents"), "portal:claim_documents", ("required_documents_uploaded",)),
    Step("declarations", _("Declarations"), "portal:claim_declarations", ("declarations_made",)),
    Step("review", _("Review and submit"), "portal:claim_review", ("round_is_open",)),
]


@dataclass(frozen=True)
class StepState:
    step: Step
    complete: bool
    problems: list[RuleResult]
    # What was just sent on this step was refused: whatever is saved, it is not done.
    has_errors: bool = False

    @property
    def blocked(self) -> bool:
        """A deadline of this step has passed: finishing the step cannot make it pass."""
        return any(problem.final for problem in self.problems)


def step_states(results: list[RuleResult], *, with_errors: str = "") -> list[StepState]:
    """Each step's state from the claim's rule results; `with_errors` names the step
    whose form was just refused."""
    by_code = {r.code: r for r in results}
    states = []
    for step in CLAIM_STEPS:
        problems = [by_code[c] for c in step.rule_codes if c in by_code and not by_code[c].passed]
        has_errors = step.slug == with_errors
        # The last step is done only when the whole claim is ready to submit.
        complete = all(r.passed for r in results) if step is CLAIM_STEPS[-1] else not problems
        states.append(
            StepState(step=step, complete=complete and not has_errors, problems=problems, has_errors=has_errors)
        )
    return states


def next_step(slug: str) -> Step:
    slugs = [s.slug for s in CLAIM_STEPS]
    return CLAIM_STEPS[min(slugs.index(slug) + 1, len(CLAIM_STEPS) - 1)]


@dataclass(frozen=True)
class PatentDeadline:
    """By when the claim's patent must be claimed, as the patent step shows it."""

    grant_date: dt.date
    deadline: dt.date
    passed: bool


def patent_deadline(application: Application, today: dt.date | None = None) -> PatentDeadline | None:
    """The saved patent's claim deadline (the rule `claimed_within_deadline` applies the same)."""
    patent = application.patent
    if patent is None:
        return None
    deadline = claim_deadline(patent.grant_date, application.funding_round)
    return PatentDeadline(
        grant_date=patent.grant_date, deadline=deadline, passed=(today or timezone.localdate()) > deadline
    )
