"""Eligibility rules of the scheme (DESIGN.md §2), one named function each.

Every rule takes the `ClaimFacts` of one claim and returns a `RuleResult`: pass or
fail, and a reason a person can act on. The rules are pure: the facts are gathered
by `subsidy.selectors.claim_facts`, so each rule is tested without a database.
All numbers come from the funding round.
"""

from __future__ import annotations

import datetime as dt
import unicodedata
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from decimal import Decimal

from dateutil.relativedelta import relativedelta
from django.core.exceptions import ImproperlyConfigured, ValidationError
from django.utils.formats import date_format
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext

from subsidy import identifiers
from subsidy.amounts import AmountBreakdown
from subsidy.models.applicants import Applicant
from subsidy.models.choices import (
    ApplicantKind,
    DesignatedOffice,
    DocumentType,
    PatentKind,
    PatentRoute,
    PersonalIdKind,
)
from subsidy.models.patents import Patent
from subsidy.models.rounds import FundingRound
from subsidy.patent_numbers import Office


@dataclass(frozen=True)
class ClaimFacts:
    today: dt.date
    funding_round: FundingRound
    applicant: Applicant
    patent: Patent | None
    proprietors: list[str]
    document_types: set[str]
    declarations_complete: bool
    patent_claimed_elsewhere: bool
    amount: AmountBreakdown


@dataclass(frozen=True)
class RuleResult:
    code: str
    title: str | Promise
    passed: bool
    reason: str | Promise = ""
    # Failed for good: a deadline has passed, waiting or completing the claim cannot help.
    final: bool = False


Rule = Callable[[ClaimFacts], RuleResult]

# Every rule by its stable code. Checklist rows and the audit history keep the code, not
# the Python name: renaming a function breaks nothing that was recorded.
RULES: dict[str, Rule] = {}
RULE_TITLES: dict[str, str | Promise] = {}
_CODES: dict[Rule, str] = {}


def rule(code: str, title: str | Promise) -> Callable[[Rule], Rule]:
    """Register a rule under its stable code and the title the checklist shows."""

    def register(function: Rule) -> Rule:
        if code in RULES:
            raise ImproperlyConfigured(f"Two rules share the code {code!r}.")
        RULES[code], RULE_TITLES[code], _CODES[function] = function, title, code
        return function

    return register


def _result(rule: Rule, passed: bool, reason: str | Promise = "", *, final: bool = False) -> RuleResult:
    code = _CODES[rule]
    return RuleResult(code=code, title=RULE_TITLES[code], passed=passed, reason=reason, final=final)


def _date(day: dt.date) -> str:
    """A date in a reason, written the way the reader's language writes dates."""
    return date_format(day, "DATE_FORMAT")


def join_list(items: list[str]) -> str:
    """A list as people write it in the current language (Chinese uses 、)."""
    return pgettext("list separator", ", ").join(items)


def office_names(offices: Iterable[str]) -> str:
    """Patent offices by name, as a list in the reader's language."""
    return join_list([str(Office(code).label) if code in Office.values else code for code in offices])


def claim_deadline(grant_date: dt.date, funding_round: FundingRound) -> dt.date:
    return grant_date + relativedelta(months=funding_round.claim_deadline_months)


@rule("round_is_open", _("Round open for claims"))
def round_is_open(facts: ClaimFacts) -> RuleResult:
    r = facts.funding_round
    if r.is_open_on(facts.today):
        return _result(round_is_open, True)
    if facts.today > r.closes_on:
        return _result(
            round_is_open,
            False,
            _("The funding round closed on %(closes)s: claims can no longer be submitted to it.")
            % {"closes": _date(r.closes_on)},
            final=True,
        )
    return _result(
        round_is_open,
        False,
        _("The funding round accepts claims from %(opens)s to %(closes)s only.")
        % {"opens": _date(r.opens_on), "closes": _date(r.closes_on)},
    )


@rule("applicant_in_guangdong", _("Applicant domiciled in Guangdong"))
def applicant_in_guangdong(facts: ClaimFacts) -> RuleResult:
    a = facts.applicant
    if a.kind == ApplicantKind.ORGANISATION:
        if identifiers.is_guangdong_uscc(a.uscc):
            return _result(applicant_in_guangdong, True)
        return _result(
            applicant_in_guangdong,
            False,
            _("The organisation's Unified Social Credit Code is not registered in Guangdong (region code 44)."),
        )
    if a.id_kind == PersonalIdKind.RESIDENT_ID and identifiers.is_guangdong_resident_id(a.id_number):
        return _result(applicant_in_guangdong, True)
    if a.id_kind == PersonalIdKind.RESIDENCE_PERMIT:
        if DocumentType.IDENTITY in facts.document_types:
            return _result(applicant_in_guangdong, True)
        return _result(
            applicant_in_guangdong,
            False,
            _("Upload your Guangdong residence permit as an identity document."),
        )
    return _result(
        applicant_in_guangdong,
        False,
        _("The resident ID was not issued in Guangdong; claim with a Guangdong residence permit instead."),
    )


@rule("bank_account_given", _("Bank account for payment"))
def bank_account_given(facts: ClaimFacts) -> RuleResult:
    if facts.applicant.has_bank_account:
        return _result(bank_account_given, True)
    return _result(
        bank_account_given,
        False,
        _("Give the bank account the subsidy is paid to (account name, bank, account number and CNAPS code)."),
    )


@rule("patent_is_standard", _("Granted HK standard patent"))
def patent_is_standard(facts: ClaimFacts) -> RuleResult:
    p = facts.patent
    if p is None:
        return _result(patent_is_standard, False, _("Enter the Hong Kong patent this claim is for."))
    if p.kind != PatentKind.STANDARD:
        return _result(
            patent_is_standard, False, _("Short-term patents are not eligible: only granted standard patents are.")
        )
    if p.route == PatentRoute.REREGISTRATION:
        if not p.designated_office or not p.designated_application_number:
            return _result(
                patent_is_standard,
                False,
                _("A route R patent needs its designated patent office and designated application number."),
            )
        if p.designated_office == DesignatedOffice.CNIPA:
            try:
                identifiers.validate_cnipa_invention_number(p.designated_application_number)
            except ValidationError as error:
                return _result(patent_is_standard, False, " ".join(error.messages))
    return _result(patent_is_standard, True)


def _normalise_name(name: str) -> str:
    folded = unicodedata.normalize("NFKC", name).casefold()
    return "".join(ch for ch in folded if ch.isalnum())


@rule("claimant_is_first_proprietor", _("Applicant is the first registered proprietor"))
def claimant_is_first_proprietor(facts: ClaimFacts) -> RuleResult:
    if not facts.proprietors:
        return _result(
            claimant_is_first_proprietor, False, _("List the registered proprietors in the order of the register.")
        )
    first = _normalise_name(facts.proprietors[0])
    names = {_normalise_name(n) for n in (facts.applicant.name, facts.applicant.name_en) if n}
    if first in names:
        return _result(claimant_is_first_proprietor, True)
    return _result(
        claimant_is_first_proprietor,
        False,
        _("The first registered proprietor (%(first)s) must be the applicant (%(applicant)s).")
        % {"first": facts.proprietors[0], "applicant": facts.applicant.name},
    )


def _grant_window(rule: Rule, facts: ClaimFacts, *, missing: Promise, outside: Promise) -> RuleResult:
    """The patent was granted within the round's window; `outside` words the refusal
    (%(start)s, %(end)s, %(grant)s)."""
    p, r = facts.patent, facts.funding_round
    if p is None:
        return _result(rule, False, missing)
    if r.grant_date_from <= p.grant_date <= r.grant_date_to:
        return _result(rule, True)
    days = {"start": _date(r.grant_date_from), "end": _date(r.grant_date_to), "grant": _date(p.grant_date)}
    return _result(rule, False, outside % days)


def _claim_deadline(rule: Rule, facts: ClaimFacts, *, missing: Promise, passed: Promise) -> RuleResult:
    """Submitted within the round's months after grant; `passed` words the refusal, which
    is final (%(deadline)s, %(months)s)."""
    p = facts.patent
    if p is None:
        return _result(rule, False, missing)
    deadline = claim_deadline(p.grant_date, facts.funding_round)
    if facts.today <= deadline:
        return _result(rule, True)
    terms = {"months": facts.funding_round.claim_deadline_months, "deadline": _date(deadline)}
    return _result(rule, False, passed % terms, final=True)


def _funded_once(rule: Rule, facts: ClaimFacts, *, refusal: Promise) -> RuleResult:
    """No other live claim holds the patent under the claim's scheme."""
    return _result(rule, True) if not facts.patent_claimed_elsewhere else _result(rule, False, refusal)


@rule("grant_date_in_window", _("HK grant date within the round's window"))
def grant_date_in_window(facts: ClaimFacts) -> RuleResult:
    return _grant_window(
        grant_date_in_window,
        facts,
        missing=_("Enter the HK grant date."),
        outside=_(
            "This round covers patents granted in Hong Kong from %(start)s to %(end)s; "
            "this one was granted on %(grant)s."
        ),
    )


@rule("claimed_within_deadline", _("Claimed within the deadline after grant"))
def claimed_within_deadline(facts: ClaimFacts) -> RuleResult:
    return _claim_deadline(
        claimed_within_deadline,
        facts,
        missing=_("Enter the HK grant date."),
        passed=_(
            "The deadline to claim for this patent was %(deadline)s (%(months)s months after its HK grant). "
            "It has passed: this patent cannot be claimed."
        ),
    )


@rule("patent_not_claimed_before", _("Patent not subsidised before"))
def patent_not_claimed_before(facts: ClaimFacts) -> RuleResult:
    return _funded_once(
        patent_not_claimed_before,
        facts,
        refusal=_("A claim for this HK patent has already been submitted; each patent is subsidised once."),
    )


@rule("costs_are_eligible", _("Eligible costs"))
def costs_are_eligible(facts: ClaimFacts) -> RuleResult:
    amount = facts.amount
    if not amount.lines:
        return _result(costs_are_eligible, False, _("Add the fees you paid, each with its receipt number."))
    if amount.missing_rates:
        missing = join_list([f"{c.currency} {_date(c.paid_on)}" for c in amount.missing_rates])
        return _result(
            costs_are_eligible,
            False,
            _("No exchange rate is stored for %(items)s; the scheme office must record one before you can submit.")
            % {"items": missing},
        )
    if not any(line.eligible for line in amount.lines):
        return _result(costs_are_eligible, False, _("None of the costs is of a type this round reimburses."))
    return _result(costs_are_eligible, True)


@rule("required_documents_uploaded", _("Required documents"))
def required_documents_uploaded(facts: ClaimFacts) -> RuleResult:
    # What the scheme asks for the patent and its costs, then the applicant's own papers.
    required = [DocumentType(kind) for kind in facts.funding_round.scheme.required_documents]
    required.append(
        DocumentType.BUSINESS_LICENCE if facts.applicant.kind == ApplicantKind.ORGANISATION else DocumentType.IDENTITY
    )
    missing = [t for t in required if t not in facts.document_types]
    if not missing:
        return _result(required_documents_uploaded, True)
    return _result(
        required_documents_uploaded,
        False,
        _("Upload: %(documents)s.") % {"documents": join_list([str(t.label) for t in missing])},
    )


@rule("declarations_made", _("Declarations"))
def declarations_made(facts: ClaimFacts) -> RuleResult:
    if facts.declarations_complete:
        return _result(declarations_made, True)
    return _result(declarations_made, False, _("Tick all three declarations."))


@rule("amount_within_caps", _("Amount within caps"))
def amount_within_caps(facts: ClaimFacts) -> RuleResult:
    if facts.amount.amount > Decimal("0"):
        return _result(amount_within_caps, True)
    if facts.amount.applicant_remaining_cap <= 0:
        return _result(
            amount_within_caps,
            False,
            _("The applicant has reached this year's cap of CNY %(cap)s.")
            % {"cap": facts.funding_round.per_applicant_annual_cap},
        )
    if facts.amount.no_office_amount:
        office = facts.amount.office
        return _result(
            amount_within_caps,
            False,
            _("The funding round sets no fixed amount for a patent of %(office)s.")
            % {"office": Office(office).label if office in Office.values else office},
        )
    if facts.amount.capped_by_ceiling:
        return _result(
            amount_within_caps,
            False,
            _("Public support for this patent has reached the ceiling: nothing is left for this claim."),
        )
    return _result(amount_within_caps, False, _("The eligible costs give no amount to pay."))


# Rules of schemes that fund patents of offices other than Hong Kong's: the same checks
# as above, worded for any office.


@rule("patent_is_granted_invention", _("Granted invention patent of an office the scheme funds"))
def patent_is_granted_invention(facts: ClaimFacts) -> RuleResult:
    p = facts.patent
    if p is None:
        return _result(patent_is_granted_invention, False, _("Enter the patent this claim is for."))
    offices = facts.funding_round.scheme.offices
    if p.office not in offices:
        return _result(
            patent_is_granted_invention,
            False,
            _("This scheme funds patents granted by: %(offices)s.") % {"offices": office_names(offices)},
        )
    if p.kind != PatentKind.INVENTION:
        return _result(patent_is_granted_invention, False, _("Only granted invention patents are eligible."))
    return _result(patent_is_granted_invention, True)


@rule("granted_in_window", _("Grant date within the round's window"))
def granted_in_window(facts: ClaimFacts) -> RuleResult:
    return _grant_window(
        granted_in_window,
        facts,
        missing=_("Enter the grant date."),
        outside=_("This round covers patents granted from %(start)s to %(end)s; this one was granted on %(grant)s."),
    )


@rule("claimed_within_deadline_of_grant", _("Claimed within the deadline after grant"))
def claimed_within_deadline_of_grant(facts: ClaimFacts) -> RuleResult:
    return _claim_deadline(
        claimed_within_deadline_of_grant,
        facts,
        missing=_("Enter the grant date."),
        passed=_(
            "The deadline to claim for this patent was %(deadline)s (%(months)s months after its grant). "
            "It has passed: this patent cannot be claimed."
        ),
    )


@rule("patent_not_funded_by_scheme", _("Patent not subsidised before under this scheme"))
def patent_not_funded_by_scheme(facts: ClaimFacts) -> RuleResult:
    return _funded_once(
        patent_not_funded_by_scheme,
        facts,
        refusal=_(
            "A claim for this patent has already been submitted under this scheme, which subsidises a patent once."
        ),
    )


@dataclass(frozen=True)
class RuleSet:
    """The rules a scheme's claims must all pass before submission, in checklist order,
    and the patent offices whose patents they know how to check (empty: any office)."""

    codes: tuple[str, ...]
    offices: frozenset[str] = frozenset()
    # Rules that do not count when a claim comes back after an information request: the
    # round may have closed meanwhile, and the patent is already this claim's.
    not_on_resubmission: frozenset[str] = frozenset()

    @property
    def rules(self) -> list[Rule]:
        return [RULES[code] for code in self.codes]


# Rule sets by name: a scheme names the one it uses (Scheme.rule_set).
RULE_SETS: dict[str, RuleSet] = {
    "hk_standard_patent": RuleSet(
        codes=(
            "round_is_open",
            "applicant_in_guangdong",
            "bank_account_given",
            "patent_is_standard",
            "claimant_is_first_proprietor",
            "grant_date_in_window",
            "claimed_within_deadline",
            "patent_not_claimed_before",
            "costs_are_eligible",
            "required_documents_uploaded",
            "declarations_made",
            "amount_within_caps",
        ),
        offices=frozenset({"HK"}),
        not_on_resubmission=frozenset({"round_is_open", "patent_not_claimed_before"}),
    ),
    # Invention patents granted by any office (strategy outline item 11): the office is
    # one the scheme lists, and only granted invention patents qualify (CNIPA 2021 notice).
    "granted_invention_patent": RuleSet(
        codes=(
            "round_is_open",
            "applicant_in_guangdong",
            "bank_account_given",
            "patent_is_granted_invention",
            "claimant_is_first_proprietor",
            "granted_in_window",
            "claimed_within_deadline_of_grant",
            "patent_not_funded_by_scheme",
            "costs_are_eligible",
            "required_documents_uploaded",
            "declarations_made",
            "amount_within_caps",
        ),
        not_on_resubmission=frozenset({"round_is_open", "patent_not_funded_by_scheme"}),
    ),
}


def rule_set_of(funding_round: FundingRound) -> RuleSet:
    return RULE_SETS[funding_round.scheme.rule_set]


def evaluate(facts: ClaimFacts, rules: list[Rule] | None = None) -> list[RuleResult]:
    """The claim's results under its scheme's rule set (or under `rules`)."""
    return [check(facts) for check in (rules or rule_set_of(facts.funding_round).rules)]
