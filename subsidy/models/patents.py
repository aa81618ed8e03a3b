"""The patent a claim is for, of any office a scheme accepts, and its family.

A patent's number is read by the parser of its office (:mod:`subsidy.patent_numbers`)
and kept as that office prints it; its *key* is the number without kind code, what
"one subsidy per patent per scheme" counts. Its *family* is the invention across
offices: patents that share the priority application they claim (the Chinese or other
first filing), an HK route R patent's designated application, or their own number. The policy
ceiling counts all public support for a family together, and approvals lock its row.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from subsidy import identifiers
from subsidy.models.choices import DesignatedOffice, PatentKind, PatentRoute
from subsidy.patent_numbers import PCT_OFFICE, Office, parse_application_number, parse_patent_number

#: The patent_numbers office of each designated office of an HK route R patent.
DESIGNATED_OFFICE_CODES: dict[str, str] = {
    DesignatedOffice.CNIPA: Office.CN,
    DesignatedOffice.EPO: Office.EP,
    DesignatedOffice.UKIPO: Office.GB,
}

#: Offices a priority application may come from: the patent offices and the PCT.
PRIORITY_OFFICE_CHOICES = [*Office.choices, (PCT_OFFICE, _("International application (PCT)"))]


def family_keys(
    *,
    office: str,
    number: str,
    designated_office: str = "",
    designated_number: str = "",
    priority_office: str = "",
    priority_number: str = "",
) -> list[str]:
    """What ties a patent to its family, strongest first: the priority application it
    claims, an HK route R patent's designated application, and the patent's own key (two
    claims for one patent are one family, whatever else they say). Numbers that do not
    parse (an old record) are left out; the patent's key always exists."""
    keys: list[str] = []
    candidates = [
        (priority_office, priority_number),
        (DESIGNATED_OFFICE_CODES.get(designated_office, ""), designated_number),
    ]
    for candidate_office, candidate_number in candidates:
        if candidate_office and candidate_number:
            try:
                keys.append(parse_application_number(candidate_office, candidate_number).number)
            except ValidationError:
                continue
    keys.append(patent_key(office, number))
    return list(dict.fromkeys(keys))


def patent_key(office: str, number: str) -> str:
    """The patent's identity without kind code ("HK1234567", "US11234567")."""
    try:
        return parse_patent_number(office, number).number
    except ValidationError:
        return number.split(" ")[0]


class PatentFamily(models.Model):
    """One invention across offices. Approvals of any scheme lock this row, so that the
    support they add up to stays within the ceiling (subsidy.services.reviews)."""

    key = models.CharField(_("family"), max_length=40, help_text=_("The first identifier the family was seen with."))
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("patent family")
        verbose_name_plural = _("patent families")

    def __str__(self) -> str:
        return self.key


class PatentFamilyKey(models.Model):
    """An identifier that belongs to one family: a patent's key or an application's
    number. A patent that shares any identifier with a family joins it (and families
    that turn out to be one are merged)."""

    key = models.CharField(_("identifier"), max_length=40, unique=True)
    family = models.ForeignKey(PatentFamily, on_delete=models.CASCADE, related_name="keys")

    class Meta:
        verbose_name = _("family identifier")
        verbose_name_plural = _("family identifiers")

    def __str__(self) -> str:
        return self.key


def family_for(keys: list[str]) -> PatentFamily:
    """The family that holds any of `keys`, created if none does, merged into the oldest
    if several do; every key then belongs to it."""
    found = list(PatentFamily.objects.filter(keys__key__in=keys).distinct().order_by("pk"))
    if not found:
        family = PatentFamily.objects.create(key=keys[0])
    else:
        family, *others = found
        if others:
            Patent.objects.filter(family__in=others).update(family=family)
            PatentFamilyKey.objects.filter(family__in=others).update(family=family)
            PatentFamily.objects.filter(pk__in=[other.pk for other in others]).delete()
    PatentFamilyKey.objects.bulk_create(
        [PatentFamilyKey(key=key, family=family) for key in keys], ignore_conflicts=True
    )
    return family


class Patent(models.Model):
    """The patent as the claimant declares it (one record per claim)."""

    office = models.CharField(_("patent office"), max_length=2, choices=Office.choices, default=Office.HK)
    number = models.CharField(_("patent number"), max_length=30)
    kind = models.CharField(_("patent type"), max_length=20, choices=PatentKind.choices, default=PatentKind.STANDARD)
    # HK only: how the patent was granted, and for route R the designated application.
    route = models.CharField(_("route"), max_length=1, choices=PatentRoute.choices, blank=True)
    designated_office = models.CharField(
        _("designated patent office"), max_length=10, choices=DesignatedOffice.choices, blank=True
    )
    designated_application_number = models.CharField(_("designated application number"), max_length=30, blank=True)
    priority_office = models.CharField(
        _("priority application: office"), max_length=2, choices=PRIORITY_OFFICE_CHOICES, blank=True
    )
    priority_number = models.CharField(_("priority application number"), max_length=40, blank=True)
    title_zh = models.CharField(_("title (Chinese)"), max_length=500)
    title_en = models.CharField(_("title (English)"), max_length=500, blank=True)
    grant_date = models.DateField(_("grant date"))
    family = models.ForeignKey(
        PatentFamily, on_delete=models.PROTECT, null=True, blank=True, related_name="patents", verbose_name=_("family")
    )

    class Meta:
        verbose_name = _("patent")
        verbose_name_plural = _("patents")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(route=PatentRoute.ORIGINAL_GRANT)
                | ~models.Q(office=Office.HK)
                | ~models.Q(designated_office="") & ~models.Q(designated_application_number=""),
                name="patent_route_r_has_designation",
            ),
            # A route is what an HK grant has; no other office grants that way.
            models.CheckConstraint(
                condition=models.Q(office=Office.HK, route__in=PatentRoute.values)
                | ~models.Q(office=Office.HK) & models.Q(route=""),
                name="patent_route_only_in_hk",
            ),
        ]

    def __str__(self) -> str:
        return self.number

    @property
    def is_hk(self) -> bool:
        return self.office == Office.HK

    def clean(self) -> None:
        errors: dict[str, ValidationError] = {}
        if self.number:
            try:
                self.number = self._parsed_number()
            except ValidationError as error:
                errors["number"] = error
        if self.grant_date and self.grant_date > timezone.localdate():
            errors["grant_date"] = ValidationError(_("The grant date cannot be in the future."))
        if self.is_hk:
            errors.update(self._clean_hk_route())
        else:
            self.route, self.designated_office, self.designated_application_number = "", "", ""
            self.kind = PatentKind.INVENTION
        if self.priority_number and not self.priority_office:
            errors["priority_office"] = ValidationError(_("Choose the office of the priority application."))
        elif self.priority_number:
            try:
                self.priority_number = parse_application_number(self.priority_office, self.priority_number).display
            except ValidationError as error:
                errors["priority_number"] = error
        elif not self.priority_number:
            self.priority_office = ""
        if errors:
            raise ValidationError(errors)

    def _parsed_number(self) -> str:
        if self.is_hk:  # the HK scheme's forms and letters print it so: HK1234567 B
            return identifiers.validate_hk_patent_number(self.number)
        parsed = parse_patent_number(self.office, self.number)
        if not parsed.is_invention:
            raise ValidationError(
                _("This is the number of a utility model or design: only invention patents can be claimed."),
                code="not_invention",
            )
        return parsed.display

    def _clean_hk_route(self) -> dict[str, ValidationError]:
        errors: dict[str, ValidationError] = {}
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
        elif not self.route:
            errors["route"] = ValidationError(_("Choose how the patent was granted in Hong Kong."))
        return errors

    @property
    def key(self) -> str:
        """The patent's identity without kind code: what 'one subsidy per patent' counts."""
        return patent_key(self.office, self.number)

    @property
    def family_keys(self) -> list[str]:
        return family_keys(
            office=self.office,
            number=self.number,
            designated_office=self.designated_office,
            designated_number=self.designated_application_number,
            priority_office=self.priority_office,
            priority_number=self.priority_number,
        )

    def attach_family(self) -> PatentFamily:
        """Point the patent at its family (see family_for); call before save."""
        self.family = family_for(self.family_keys)
        return self.family

    @property
    def proprietor_names(self) -> list[str]:
        return [p.name for p in self.proprietors.all()]


class PatentProprietor(models.Model):
    patent = models.ForeignKey(Patent, on_delete=models.CASCADE, related_name="proprietors")
    position = models.PositiveSmallIntegerField(_("position in the register"))
    name = models.CharField(_("name"), max_length=200)

    class Meta:
        verbose_name = _("registered proprietor")
        verbose_name_plural = _("registered proprietors")
        ordering = ["patent", "position"]
        constraints = [models.UniqueConstraint(fields=["patent", "position"], name="proprietor_position_unique")]

    def __str__(self) -> str:
        return self.name
