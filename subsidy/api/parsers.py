"""JSON with a depth limit. Python's json module recurses once per level of nesting, so
100,000 nested `[` end in a RecursionError (a 500). The body is scanned first, strings
skipped, and nesting deeper than settings.API_JSON_MAX_DEPTH is a 400 with a clear
message; no request of this API nests more than a few levels."""

from __future__ import annotations

import codecs
import re
from typing import IO, Any

from django.conf import settings
from django.utils.translation import gettext as _
from rest_framework.exceptions import ParseError
from rest_framework.parsers import JSONParser
from rest_framework.utils import json

# A JSON string (escapes included) or a bracket: brackets inside strings do not count.
_TOKENS = re.compile(r'"(?:[^"\\]|\\.)*"|[\[\]{}]', re.DOTALL)


def json_depth_exceeds(text: str, limit: int) -> bool:
    depth = 0
    for match in _TOKENS.finditer(text):
        lexeme = match.group(0)
        if lexeme in "[{":
            depth += 1
            if depth > limit:
                return True
        elif lexeme in "]}":
            depth -= 1
    return False


class DepthLimitedJSONParser(JSONParser):
    def parse(self, stream: IO[Any], media_type: str | None = None, parser_context: Any = None) -> Any:
        encoding = (parser_context or {}).get("encoding", settings.DEFAULT_CHARSET)
        try:
            text = codecs.getreader(encoding)(stream).read()
        except (ValueError, LookupError) as exc:
            raise ParseError(_("The request body is not valid JSON.")) from exc
        limit = settings.API_JSON_MAX_DEPTH
        if json_depth_exceeds(text, limit):
            raise ParseError(
                _("The JSON body is nested too deeply: at most %(limit)d levels are accepted.") % {"limit": limit}
            )
        try:
            return json.loads(text, parse_constant=json.strict_constant if self.strict else None)
        except (ValueError, RecursionError) as exc:
            raise ParseError(_("The request body is not valid JSON: %(error)s") % {"error": exc}) from exc
