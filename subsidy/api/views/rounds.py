"""Funding rounds."""

from __future__ import annotations

from typing import Any

from django.utils import timezone
from rest_framework import viewsets

from subsidy.api import serializers as s
from subsidy.api.filters import FundingRoundFilter
from subsidy.models import FundingRound


class FundingRoundViewSet(viewsets.ReadOnlyModelViewSet[FundingRound]):
    """Funding rounds: every number the rules use. Readable by every signed-in caller."""

    serializer_class = s.FundingRoundSerializer
    queryset = FundingRound.objects.all()
    filterset_class = FundingRoundFilter
    ordering_fields = ["opens_on", "closes_on", "name", "code"]
    ordering = ["-opens_on", "id"]

    def get_serializer_context(self) -> dict[str, Any]:
        return {**super().get_serializer_context(), "today": timezone.localdate()}
