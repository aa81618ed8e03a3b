"""What a letter says, as plain data.

`LetterContent` is a snapshot taken when the decision is made: the renderer needs
nothing else (no database), the same snapshot always renders the same letter, and
it is attached to the PDF as JSON so the letter carries its own case data.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

import cn2an

from subsidy.amounts import to_cents
from subsidy.chinese import to_hong_kong_traditional
from subsidy.models.choices import LetterChinese, LetterKind


def amount_in_words(amount: Decimal) -> str:
    """人民币 + the amount in Chinese capital numerals (大写), e.g. 人民币壹万元整.

    cn2an truncates extra decimals and never adds 人民币, so the amount is rounded
    to cents first and the prefix added here.
    """
    if amount < 0:
        raise ValueError("a subsidy amount is never negative")
    return "人民币" + cn2an.an2cn(str(to_cents(amount)), "rmb")


def mask_account(number: str) -> str:
    """Bank account numbers are printed with only their last four digits."""
    digits = number.replace(" ", "")
    return f"**** {digits[-4:]}" if len(digits) > 4 else digits


@dataclass(frozen=True)
class CostRow:
    label_zh: str
    label_en: str
    description: str
    paid_on: dt.date
    currency: str
    amount: Decimal
    rate_to_cny: Decimal | None
    amount_cny: Decimal | None
    eligible: bool


@dataclass(frozen=True)
class ChainStep:
    """One signature on the approval chain: a role and a date, never a person's contact details."""

    role_zh: str
    role_en: str
    on: dt.date


@dataclass(frozen=True)
class LetterContent:
    kind: str
    reference: str
    version: int
    issued_on: dt.date
    application_reference: str
    applicant_name: str
    applicant_name_en: str
    applicant_id_label_zh: str
    applicant_id_label_en: str
    applicant_id: str
    patent_number: str
    patent_title: str
    round_name: str
    verify_url: str
    patent_title_en: str = ""
    # The office that granted the patent; snapshots made before patents of any office
    # were HK patents, and called the number hk_number (from_dict reads both).
    patent_office: str = "HK"
    # The scheme that decides, as letterhead and stamp name it; snapshots made before
    # schemes were data are letters of the first scheme.
    scheme_name: str = "广东省香港标准专利资助计划"
    scheme_name_en: str = "Guangdong Subsidy Scheme for Hong Kong Standard Patents"
    costs: tuple[CostRow, ...] = ()
    eligible_total: Decimal = Decimal("0.00")
    rate: Decimal = Decimal("0.00")
    per_patent_cap: Decimal = Decimal("0.00")
    calculated_amount: Decimal = Decimal("0.00")
    # What remained of the applicant's annual cap, when it limited the amount.
    annual_cap_limit: Decimal | None = None
    # How the amount was computed (subsidy.amounts.AMOUNT_METHODS); snapshots made before
    # schemes were data computed a cost share. For a fixed amount, calculated_amount is the
    # amount for the patent's office, named here in both languages.
    amount_method: str = "cost_share"
    office_zh: str = ""
    office_en: str = ""
    # What the policy ceiling left for the patent family, when it limited the amount.
    ceiling_limit: Decimal | None = None
    amount: Decimal = Decimal("0.00")
    adjustment_reason: str = ""
    chain: tuple[ChainStep, ...] = ()
    bank_name: str = ""
    account_masked: str = ""
    notice_ends_on: dt.date | None = None
    reasons: str = ""
    supersedes: str = ""
    correction_reason: str = ""
    # The Chinese the letter is written in (English always follows); snapshots made
    # before the choice existed read as Simplified.
    chinese: str = LetterChinese.SIMPLIFIED
    extra: dict[str, str] = field(default_factory=dict)

    @property
    def is_traditional(self) -> bool:
        return self.chinese == LetterChinese.TRADITIONAL

    @property
    def lang(self) -> str:
        """The BCP 47 tag of the letter's main language (the PDF's /Lang)."""
        return "zh-Hant-HK" if self.is_traditional else "zh-Hans"

    @property
    def is_approval(self) -> bool:
        return self.kind == LetterKind.APPROVAL

    @property
    def amount_in_words(self) -> str:
        words = amount_in_words(self.amount)
        return to_hong_kong_traditional(words) if self.is_traditional else words

    @property
    def before_review(self) -> Decimal:
        """The amount the rules give, before any adjustment by the reviewer."""
        if self.annual_cap_limit is not None:
            return self.annual_cap_limit
        return self.ceiling_limit if self.ceiling_limit is not None else self.calculated_amount

    @property
    def is_fixed_amount(self) -> bool:
        return self.amount_method == "fixed_by_office"

    @property
    def rate_percent(self) -> Decimal:
        return (self.rate * 100).normalize()

    def to_json(self) -> str:
        """Stable JSON (sorted keys, amounts as strings): stored, and attached to the PDF."""
        return json.dumps(dataclasses.asdict(self), default=_encode, ensure_ascii=False, sort_keys=True, indent=1)

    def to_dict(self) -> dict[str, Any]:
        result: dict[str, Any] = json.loads(self.to_json())
        return result

    @classmethod
    def from_json(cls, text: str) -> LetterContent:
        return cls.from_dict(json.loads(text))

    @classmethod
    def from_dict(cls, stored: dict[str, Any]) -> LetterContent:
        data = dict(stored)
        if "hk_number" in data:
            data["patent_number"] = data.pop("hk_number")
        data["issued_on"] = dt.date.fromisoformat(data["issued_on"])
        if data.get("notice_ends_on"):
            data["notice_ends_on"] = dt.date.fromisoformat(data["notice_ends_on"])
        for name in ("eligible_total", "rate", "per_patent_cap", "calculated_amount", "amount"):
            data[name] = Decimal(data[name])
        data["annual_cap_limit"] = _decimal_or_none(data.get("annual_cap_limit"))
        data["ceiling_limit"] = _decimal_or_none(data.get("ceiling_limit"))
        data["costs"] = tuple(
            CostRow(
                **{
                    **row,
                    "paid_on": dt.date.fromisoformat(row["paid_on"]),
                    "amount": Decimal(row["amount"]),
                    "rate_to_cny": _decimal_or_none(row["rate_to_cny"]),
                    "amount_cny": _decimal_or_none(row["amount_cny"]),
                }
            )
            for row in data["costs"]
        )
        data["chain"] = tuple(ChainStep(**{**step, "on": dt.date.fromisoformat(step["on"])}) for step in data["chain"])
        return cls(**data)


def _decimal_or_none(value: str | None) -> Decimal | None:
    return None if value is None else Decimal(value)


def _encode(value: Any) -> str:
    if isinstance(value, dt.date | Decimal):
        return str(value)
    raise TypeError(f"cannot put {type(value).__name__} into a letter snapshot")
