"""A subsidy scheme as data (DESIGN.md §10): what a scheme funds, under which rules and
amount method, with which reference prefix and until when. A funding round belongs to
one scheme and carries the numbers of one call for claims.

The rule set and the amount method are chosen by name from registries in code
(`subsidy.rules.RULE_SETS`, `subsidy.amounts.AMOUNT_METHODS`); a new scheme built from
existing pieces needs no code change."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from subsidy.chinese import shown_in_language
from subsidy.models.choices import DocumentType

HK_STANDARD_PATENT_SCHEME = "gd-hk-standard-patent"


def hk_offices() -> list[str]:
    return ["HK"]


def hk_documents() -> list[str]:
    return [DocumentType.GRANT_CERTIFICATE.value, DocumentType.FEE_RECEIPT.value]


# The first scheme, as its data migration created it (subsidy 0019); the demo and the
# tests get it with hk_standard_patent_scheme().
HK_SCHEME_VALUES = {
    "name": "广东省香港标准专利资助计划",
    "name_en": "Guangdong Subsidy Scheme for Hong Kong Standard Patents",
    "legal_basis": "",
    "reference_prefix": "GDHK",
    "offices": ["HK"],
    "rule_set": "hk_standard_patent",
    "amount_method": "cost_share",
    "required_documents": ["grant_certificate", "fee_receipt"],
    "ceiling_share": None,  # the scheme predates the 2021 notice: its amounts stay as they are
    "sunset_on": None,
}


def hk_standard_patent_scheme() -> Scheme:
    scheme, _created = Scheme.objects.get_or_create(code=HK_STANDARD_PATENT_SCHEME, defaults=HK_SCHEME_VALUES)
    return scheme


class SchemeQuerySet(models.QuerySet["Scheme"]):
    def in_force_on(self, day: dt.date) -> SchemeQuerySet:
        return self.filter(models.Q(sunset_on__isnull=True) | models.Q(sunset_on__gte=day))


class Scheme(models.Model):
    code = models.SlugField(_("scheme code"), max_length=40, unique=True)
    name = models.CharField(_("name"), max_length=200, help_text=_("In Simplified Chinese."))
    name_en = models.CharField(_("name in English"), max_length=200)
    legal_basis = models.TextField(
        _("legal basis"), blank=True, help_text=_("The policy document the scheme rests on, e.g. its number and title.")
    )
    reference_prefix = models.CharField(
        _("reference prefix"),
        max_length=8,
        unique=True,
        validators=[RegexValidator(r"^[A-Z]{2,8}$", _("Two to eight capital letters, e.g. GDHK."))],
        help_text=_("Claims of the scheme are numbered PREFIX-YEAR-NNNNNN."),
    )
    offices = models.JSONField(
        _("patent offices"), default=hk_offices, help_text=_("The offices whose granted patents the scheme funds.")
    )
    rule_set = models.CharField(_("rule set"), max_length=40)
    amount_method = models.CharField(_("amount method"), max_length=40)
    required_documents = models.JSONField(_("required documents"), default=hk_documents)
    # CNIPA notice 国知发保字(2021)1号: all public support for one patent family, from every level
    # of government together, may not exceed this share of the official fees paid for it.
    ceiling_share = models.DecimalField(
        _("ceiling: share of official fees"),
        max_digits=5,
        decimal_places=4,
        null=True,
        blank=True,
        validators=[MinValueValidator(0), MaxValueValidator(1)],
        help_text=_("E.g. 0.5: all public support for a patent family stays within half of its official fees."),
    )
    sunset_on = models.DateField(
        _("ends on"), null=True, blank=True, help_text=_("No round of the scheme may be open after this day.")
    )

    objects = SchemeQuerySet.as_manager()

    class Meta:
        verbose_name = _("subsidy scheme")
        verbose_name_plural = _("subsidy schemes")
        ordering = ["code"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(ceiling_share__isnull=True) | models.Q(ceiling_share__gte=0, ceiling_share__lte=1),
                name="scheme_ceiling_share_0_1",
            ),
        ]

    def __str__(self) -> str:
        return self.display_name

    @property
    def display_name(self) -> str:
        from django.utils import translation

        if translation.get_language() == "en" and self.name_en:
            return self.name_en
        return shown_in_language(self.name)

    def clean(self) -> None:
        # The registries live with the rules and the amounts, which import the models.
        from subsidy.amounts import AMOUNT_METHODS
        from subsidy.patent_numbers import Office
        from subsidy.rules import RULE_SETS

        errors: dict[str, Any] = {}
        if self.rule_set not in RULE_SETS:
            errors["rule_set"] = _("Choose one of: %(names)s.") % {"names": ", ".join(sorted(RULE_SETS))}
        if self.amount_method not in AMOUNT_METHODS:
            errors["amount_method"] = _("Choose one of: %(names)s.") % {"names": ", ".join(sorted(AMOUNT_METHODS))}
        offices = self.offices if isinstance(self.offices, list) else []
        unknown = sorted(set(map(str, offices)) - set(Office.values))
        if not offices or unknown:
            errors["offices"] = _("List one or more of: %(names)s.") % {"names": ", ".join(Office.values)}
        documents = self.required_documents if isinstance(self.required_documents, list) else None
        if documents is None or set(map(str, documents)) - set(DocumentType.values):
            errors["required_documents"] = _("List document types among: %(names)s.") % {
                "names": ", ".join(DocumentType.values)
            }
        if not errors and self.rule_set in RULE_SETS:
            needed = RULE_SETS[self.rule_set].offices
            if needed and not set(offices) <= needed:
                errors["offices"] = _("The rule set %(rules)s checks patents of %(offices)s only.") % {
                    "rules": self.rule_set,
                    "offices": ", ".join(sorted(needed)),
                }
        if self.pk and self.sunset_on and self.rounds.filter(closes_on__gt=self.sunset_on).exists():
            errors["sunset_on"] = _("A round of the scheme is open after this day: end it after its last round.")
        if errors:
            raise ValidationError(errors)
