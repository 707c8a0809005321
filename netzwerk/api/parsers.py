"""The API's JSON parser: DRF's, with a bound on nesting.

Python's JSON decoder recurses once per level; a body nested 100,000 levels deep ended in a
``RecursionError`` and a 500. No request of this API needs more than a few levels, so
anything deeper than ``MAX_DEPTH`` is a 400 with a German message.
"""

from django.utils.translation import gettext_lazy as _
from rest_framework import parsers
from rest_framework.exceptions import ParseError

MAX_DEPTH = 32


def _deeper_than(data, limit: int) -> bool:
    """Whether lists and objects in ``data`` nest deeper than ``limit`` (without recursion)."""
    stack = [(data, 1)]
    while stack:
        value, depth = stack.pop()
        if isinstance(value, dict):
            children = value.values()
        elif isinstance(value, list):
            children = value
        else:
            continue
        if depth > limit:
            return True
        stack.extend((child, depth + 1) for child in children)
    return False


class JSONParser(parsers.JSONParser):
    def parse(self, stream, media_type=None, parser_context=None):
        too_deep = ParseError(
            _("Die JSON-Daten sind zu tief verschachtelt (höchstens %(depth)s Ebenen).") % {"depth": MAX_DEPTH}
        )
        try:
            data = super().parse(stream, media_type, parser_context)
        except RecursionError:
            raise too_deep from None
        if _deeper_than(data, MAX_DEPTH):
            raise too_deep
        return data
