"""ETag / If-Match: an update must name the version it was based on, so that two
clients cannot silently overwrite each other. The tag is a digest of the resource's
representation (language-independent), compared under the row lock."""

from __future__ import annotations

import hashlib
import json
from typing import Any

from django.core.serializers.json import DjangoJSONEncoder
from django.utils.translation import gettext_lazy as _
from rest_framework import status
from rest_framework.exceptions import APIException
from rest_framework.request import Request


class PreconditionRequired(APIException):
    status_code = status.HTTP_428_PRECONDITION_REQUIRED
    default_detail = _("Send If-Match with the ETag of the version you are changing.")
    default_code = "precondition_required"


class PreconditionFailed(APIException):
    status_code = status.HTTP_412_PRECONDITION_FAILED
    default_detail = _("The record has changed since you read it; read it again and reapply your change.")
    default_code = "precondition_failed"


def etag_of(data: Any) -> str:
    payload = json.dumps(data, sort_keys=True, cls=DjangoJSONEncoder, ensure_ascii=False)
    return '"' + hashlib.sha256(payload.encode()).hexdigest()[:40] + '"'


def check_if_match(request: Request, current: str) -> None:
    header = request.headers.get("If-Match", "").strip()
    if not header:
        raise PreconditionRequired
    if header == "*":
        return
    if current not in [tag.strip() for tag in header.split(",")]:
        raise PreconditionFailed
