"""The subsidy amount, as a pure function of the claim's costs and the round's terms.

amount = min(per-patent cap, rate * Σ eligible costs in CNY), then limited by what
remains of the applicant's annual cap. Decimal only; every rounding is half up to
0.01, and HKD lines are converted (and rounded) one by one at the stored rate.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

CENT = Decimal("0.01")
ZERO = Decimal("0.00")


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
class AmountBreakdown:
    lines: list[AmountLine]
    eligible_total: Decimal
    rate: Decimal
    reimbursable: Decimal
    per_patent_cap: Decimal
    applicant_remaining_cap: Decimal
    amount: Decimal
    missing_rates: list[CostLine] = field(default_factory=list)

    @property
    def capped_by_patent(self) -> bool:
        return self.reimbursable > self.per_patent_cap

    @property
    def capped_by_applicant(self) -> bool:
        return min(self.reimbursable, self.per_patent_cap) > self.applicant_remaining_cap


def line_in_cny(cost: CostLine) -> Decimal | None:
    if cost.currency == "CNY":
        return to_cents(cost.amount)
    if cost.rate_to_cny is None:
        return None
    return to_cents(cost.amount * cost.rate_to_cny)


def compute_amount(
    *,
    costs: list[CostLine],
    eligible_cost_types: list[str],
    rate: Decimal,
    per_patent_cap: Decimal,
    applicant_remaining_cap: Decimal,
) -> AmountBreakdown:
    lines = [
        AmountLine(cost=cost, eligible=cost.cost_type in eligible_cost_types, amount_cny=line_in_cny(cost))
        for cost in costs
    ]
    eligible_total = sum(
        (line.amount_cny for line in lines if line.eligible and line.amount_cny is not None), start=ZERO
    )
    reimbursable = to_cents(rate * eligible_total)
    remaining = max(applicant_remaining_cap, ZERO)
    amount = min(reimbursable, per_patent_cap, remaining)
    return AmountBreakdown(
        lines=lines,
        eligible_total=eligible_total,
        rate=rate,
        reimbursable=reimbursable,
        per_patent_cap=per_patent_cap,
        applicant_remaining_cap=remaining,
        amount=to_cents(amount),
        missing_rates=[line.cost for line in lines if line.amount_cny is None],
    )
