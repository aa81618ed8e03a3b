from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from subsidy.models.choices import Currency


class ExchangeRate(models.Model):
    """CNY per one unit of a foreign currency on a date, as published by its source."""

    currency = models.CharField(_("currency"), max_length=3, choices=Currency.choices)
    on_date = models.DateField(_("date"))
    rate_to_cny = models.DecimalField(_("CNY per unit"), max_digits=12, decimal_places=6)
    source = models.CharField(_("source"), max_length=200)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("exchange rate")
        verbose_name_plural = _("exchange rates")
        ordering = ["currency", "-on_date"]
        constraints = [
            models.UniqueConstraint(fields=["currency", "on_date"], name="exchange_rate_unique_per_day"),
            models.CheckConstraint(condition=models.Q(rate_to_cny__gt=0), name="exchange_rate_positive"),
            models.CheckConstraint(condition=~models.Q(currency=Currency.CNY), name="exchange_rate_not_cny"),
        ]

    def __str__(self) -> str:
        return f"{self.currency} {self.on_date}: {self.rate_to_cny}"
