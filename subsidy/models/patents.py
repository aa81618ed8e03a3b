from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from subsidy import identifiers
from subsidy.models.choices import DesignatedOffice, PatentKind, PatentRoute


class HKPatent(models.Model):
    """The Hong Kong patent as the claimant declares it (one record per claim)."""

    hk_number = models.CharField(_("HK patent number"), max_length=20)
    kind = models.CharField(_("patent type"), max_length=20, choices=PatentKind.choices, default=PatentKind.STANDARD)
    route = models.CharField(_("route"), max_length=1, choices=PatentRoute.choices)
    designated_office = models.CharField(
        _("designated patent office"), max_length=10, choices=DesignatedOffice.choices, blank=True
    )
    designated_application_number = models.CharField(_("designated application number"), max_length=30, blank=True)
    title_zh = models.CharField(_("title (Chinese)"), max_length=500)
    title_en = models.CharField(_("title (English)"), max_length=500, blank=True)
    grant_date = models.DateField(_("HK grant date"))

    class Meta:
        verbose_name = _("HK patent")
        verbose_name_plural = _("HK patents")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(route=PatentRoute.ORIGINAL_GRANT)
                | ~models.Q(designated_office="") & ~models.Q(designated_application_number=""),
                name="patent_route_r_has_designation",
            )
        ]

    def __str__(self) -> str:
        return self.hk_number

    def clean(self) -> None:
        errors: dict[str, ValidationError] = {}
        if self.hk_number:
            try:
                self.hk_number = identifiers.validate_hk_patent_number(self.hk_number)
            except ValidationError as error:
                errors["hk_number"] = error
        if self.grant_date and self.grant_date > timezone.localdate():
            errors["grant_date"] = ValidationError(_("The grant date cannot be in the future."))
        if self.route == PatentRoute.ORIGINAL_GRANT:
            self.designated_office, self.designated_application_number = "", ""
        elif self.route == PatentRoute.REREGISTRATION:
            if not self.designated_office:
                errors["designated_office"] = ValidationError(
                    _("A route R patent is based on a designated application: choose its office.")
                )
            if not self.designated_application_number:
                errors["designated_application_number"] = ValidationError(_("Enter the designated application number."))
            elif self.designated_office == DesignatedOffice.CNIPA:
                try:
                    self.designated_application_number = identifiers.validate_cnipa_invention_number(
                        self.designated_application_number
                    )
                except ValidationError as error:
                    errors["designated_application_number"] = error
        if errors:
            raise ValidationError(errors)

    @property
    def hk_key(self) -> str:
        """The patent's identity without kind code: what 'one subsidy per patent' counts."""
        return self.hk_number.split(" ")[0]

    @property
    def proprietor_names(self) -> list[str]:
        return [p.name for p in self.proprietors.all()]


class HKPatentProprietor(models.Model):
    patent = models.ForeignKey(HKPatent, on_delete=models.CASCADE, related_name="proprietors")
    position = models.PositiveSmallIntegerField(_("position in the register"))
    name = models.CharField(_("name"), max_length=200)

    class Meta:
        verbose_name = _("registered proprietor")
        verbose_name_plural = _("registered proprietors")
        ordering = ["patent", "position"]
        constraints = [models.UniqueConstraint(fields=["patent", "position"], name="proprietor_position_unique")]

    def __str__(self) -> str:
        return self.name
