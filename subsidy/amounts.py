"""The subsidy amount, as pure functions of the claim's costs and the round's terms.

A scheme names its amount method (`Scheme.amount_method`), one of `AMOUNT_METHODS`:

- `cost_share`: min(per-patent cap, rate * Σ eligible costs in CNY);
- `fixed_by_office`: the round's fixed amount for the patent's office, whatever the
  costs (they are still listed: the record shows them and the ceiling counts the
  official fees among them).

Either is then bounded by what the policy ceiling still leaves for the patent family
(when the scheme sets one) and by what remains of the applicant's annual cap. Decimal
only; every rounding is half up to 0.01, and HKD lines are converted (and rounded) one
by one at the stored rate.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

CENT = Decimal("0.01")
ZERO = Decimal("0.00")

COST_SHARE = "cost_share"
FIXED_BY_OFFICE = "fixed_by_office"
# Only official fees count towards the policy ceiling; agency and annual fees never do.
OFFICIAL_FEE = "official_fee"


def to_cents(value: Decimal) -> Decimal:
    return value.quantize(CENT, rounding=ROUND_HALF_UP)


@dataclass(frozen=True)
class CostLine:
    cost_type: str
    amount: Decimal
    currency: str
    paid_on: dt.date
    # CNY per unit for foreign-currency lines; None when CNY or when no rate is stored.
    rate_to_cny: Decimal | None = None
    label: str = ""  # how people see the line, e.g. "Agency fee (HK agent)"
    description: str = ""  # what the applicant wrote about it, e.g. "HK agent"


@dataclass(frozen=True)
class AmountLine:
    cost: CostLine
    eligible: bool
    amount_cny: Decimal | None  # None: foreign currency without a stored rate


@dataclass(frozen=True)
class AmountTerms:
    """Everything an amount method may use: the claim's costs and the round's numbers."""

    costs: Sequence[CostLine]
    eligible_cost_types: Collection[str]
    rate: Decimal
    per_patent_cap: Decimal
    applicant_remaining_cap: Decimal
    office: str = "HK"  # the patent's office
    amounts_by_office: Mapping[str, Decimal] = field(default_factory=dict)
    # What the policy ceiling still leaves for the patent family; None: no ceiling.
    ceiling_left: Decimal | None = None


@dataclass(frozen=True)
class AmountBreakdown:
    lines: list[AmountLine]
    eligible_total: Decimal
    rate: Decimal
    # What the method gives before any cap: rate * eligible costs, or the office's fixed amount.
    reimbursable: Decimal
    per_patent_cap: Decimal
    applicant_remaining_cap: Decimal
    amount: Decimal
    missing_rates: list[CostLine] = field(default_factory=list)
    method: str = COST_SHARE
    office: str = ""
    # fixed_by_office: the round's amount for the office; None when the round sets none for it.
    office_amount: Decimal | None = None
    ceiling_left: Decimal | None = None

    @property
    def is_fixed(self) -> bool:
        return self.method == FIXED_BY_OFFICE

    @property
    def no_office_amount(self) -> bool:
        """The round pays a fixed amount per office but none for this patent's office."""
        return self.is_fixed and self.office_amount is None

    @property
    def method_amount(self) -> Decimal:
        """What the method gives, before the ceiling and the annual cap bound it."""
        if self.is_fixed:
            return self.reimbursable
        return min(self.reimbursable, self.per_patent_cap)

    @property
    def capped_by_patent(self) -> bool:
        return not self.is_fixed and self.reimbursable > self.per_patent_cap

    @property
    def capped_by_ceiling(self) -> bool:
        return self.ceiling_left is not None and self.method_amount > self.ceiling_left

    @property
    def within_ceiling(self) -> Decimal:
        """The method's amount once the ceiling bounds it (the annual cap comes next)."""
        if self.ceiling_left is None:
            return self.method_amount
        return min(self.method_amount, self.ceiling_left)

    @property
    def capped_by_applicant(self) -> bool:
        return self.within_ceiling > self.applicant_remaining_cap


AmountMethod = Callable[[AmountTerms], AmountBreakdown]


def line_in_cny(cost: CostLine) -> Decimal | None:
    if cost.currency == "CNY":
        return to_cents(cost.amount)
    if cost.rate_to_cny is None:
        return None
    return to_cents(cost.amount * cost.rate_to_cny)


def official_fees(costs: Iterable[CostLine]) -> Decimal:
    """The official fees among the costs, in CNY: the base of the policy ceiling. Lines
    without a stored exchange rate count for nothing until one is recorded."""
    return sum(
        (amount for cost in costs if cost.cost_type == OFFICIAL_FEE and (amount := line_in_cny(cost)) is not None),
        start=ZERO,
    )


def office_amount_from_json(value: object) -> Decimal | None:
    """A fixed amount as a round stores it in JSON ("4500.00", or a whole number), or
    None unless it is a positive amount with at most two decimals."""
    if isinstance(value, bool) or not isinstance(value, str | int):
        return None
    try:
        amount = Decimal(value)
    except InvalidOperation:
        return None
    if not amount.is_finite() or amount <= 0 or amount != amount.quantize(CENT):
        return None
    return to_cents(amount)


def _counted(terms: AmountTerms) -> tuple[list[AmountLine], Decimal]:
    """Every cost in CNY, marked eligible or not, and the eligible ones' sum."""
    lines = [
        AmountLine(cost=cost, eligible=cost.cost_type in terms.eligible_cost_types, amount_cny=line_in_cny(cost))
        for cost in terms.costs
    ]
    eligible_total = sum(
        (line.amount_cny for line in lines if line.eligible and line.amount_cny is not None), start=ZERO
    )
    return lines, eligible_total


def _bounded(
    terms: AmountTerms,
    lines: list[AmountLine],
    eligible_total: Decimal,
    *,
    method: str,
    reimbursable: Decimal,
    office_amount: Decimal | None = None,
) -> AmountBreakdown:
    """The method's figures, its amount then bounded by the ceiling and the annual cap."""
    unbounded = AmountBreakdown(
        lines=lines,
        eligible_total=eligible_total,
        rate=terms.rate,
        reimbursable=reimbursable,
        per_patent_cap=terms.per_patent_cap,
        applicant_remaining_cap=max(terms.applicant_remaining_cap, ZERO),
        amount=ZERO,
        missing_rates=[line.cost for line in lines if line.amount_cny is None],
        method=method,
        office=terms.office,
        office_amount=office_amount,
        ceiling_left=None if terms.ceiling_left is None else to_cents(max(terms.ceiling_left, ZERO)),
    )
    amount = min(unbounded.within_ceiling, unbounded.applicant_remaining_cap)
    return replace(unbounded, amount=to_cents(max(amount, ZERO)))


def cost_share(terms: AmountTerms) -> AmountBreakdown:
    """The round's rate times the eligible costs in CNY, capped per patent."""
    lines, eligible_total = _counted(terms)
    reimbursable = to_cents(terms.rate * eligible_total)
    return _bounded(terms, lines, eligible_total, method=COST_SHARE, reimbursable=reimbursable)


def fixed_by_office(terms: AmountTerms) -> AmountBreakdown:
    """The round's fixed amount for the patent's office, whatever the costs; nothing
    when the round sets none for the office (the breakdown says so)."""
    lines, eligible_total = _counted(terms)
    fixed = terms.amounts_by_office.get(terms.office)
    fixed = to_cents(fixed) if fixed is not None and fixed > 0 else None
    return _bounded(
        terms, lines, eligible_total, method=FIXED_BY_OFFICE, reimbursable=fixed or ZERO, office_amount=fixed
    )


# Amount methods by name: a scheme names the one it uses (Scheme.amount_method).
AMOUNT_METHODS: dict[str, AmountMethod] = {
    COST_SHARE: cost_share,
    FIXED_BY_OFFICE: fixed_by_office,
}


def compute_amount(
    *,
    costs: list[CostLine],
    eligible_cost_types: list[str],
    rate: Decimal,
    per_patent_cap: Decimal,
    applicant_remaining_cap: Decimal,
) -> AmountBreakdown:
    """`cost_share` with no ceiling: the HK scheme's amount, as it always was."""
    return cost_share(
        AmountTerms(
            costs=costs,
            eligible_cost_types=eligible_cost_types,
            rate=rate,
            per_patent_cap=per_patent_cap,
            applicant_remaining_cap=applicant_remaining_cap,
        )
    )
