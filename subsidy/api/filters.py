from __future__ import annotations

import django_filters

from subsidy.models import Application, ApplicationStatus, Batch, BatchStatus, FundingRound, GuangdongCity


class FundingRoundFilter(django_filters.FilterSet):
    code = django_filters.CharFilter()
    open_on = django_filters.DateFilter(method="filter_open_on", label="open on")

    class Meta:
        model = FundingRound
        fields = ["code", "open_on"]

    def filter_open_on(self, queryset: object, name: str, value: object) -> object:
        return queryset.filter(opens_on__lte=value, closes_on__gte=value)  # type: ignore[attr-defined]


class ApplicationFilter(django_filters.FilterSet):
    status = django_filters.MultipleChoiceFilter(choices=ApplicationStatus.choices)
    scheme = django_filters.CharFilter(field_name="funding_round__scheme__code", label="scheme code")
    funding_round = django_filters.NumberFilter(field_name="funding_round_id")
    applicant = django_filters.NumberFilter(field_name="applicant_id")
    city = django_filters.ChoiceFilter(field_name="applicant__city", choices=GuangdongCity.choices)
    reference = django_filters.CharFilter()
    submitted_from = django_filters.DateFilter(field_name="submitted_at__date", lookup_expr="gte")
    submitted_to = django_filters.DateFilter(field_name="submitted_at__date", lookup_expr="lte")

    class Meta:
        model = Application
        fields = [
            "status",
            "scheme",
            "funding_round",
            "applicant",
            "city",
            "reference",
            "submitted_from",
            "submitted_to",
        ]


class BatchFilter(django_filters.FilterSet):
    status = django_filters.MultipleChoiceFilter(choices=BatchStatus.choices)
    reference = django_filters.CharFilter()

    class Meta:
        model = Batch
        fields = ["status", "reference"]
