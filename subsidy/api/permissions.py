"""Who may reach which endpoint. Which records they see is decided by the querysets
(subsidy.selectors.applications_visible_to); what they may do, by the services."""

from __future__ import annotations

from typing import Any

from rest_framework.permissions import BasePermission
from rest_framework.request import Request

from subsidy.permissions import roles_see_finance, user_is_staff_member, user_roles


class IsFinanceViewer(BasePermission):
    """Finance staff act on batches; auditors and scheme administrators read them (as on /staff/batches/)."""

    def has_permission(self, request: Request, view: Any) -> bool:
        return roles_see_finance(request.user, user_roles(request.user))


class IsSchemeStaff(BasePermission):
    def has_permission(self, request: Request, view: Any) -> bool:
        return user_is_staff_member(request.user)
