"""Lists of the API kept per state of the data they show (``VersionedListMixin``)."""

import hashlib
from collections.abc import Callable

from django.core.cache import cache
from django.utils import timezone, translation
from rest_framework.response import Response

# How long a kept answer lives. A new version makes it unused at once; the limit bounds
# what the addresses anyone can make up (each filter and page its own entry) keep in the
# cache, while the pages asked for often are kept again on their next request.
LIST_SECONDS = 10 * 60


# A viewset's list answered from the cache while the version of what it shows stands.
#
# ``list_version(request)`` names that version, read from stamps that database triggers
# move on every write to the tables the list shows (a bulk ``update()`` or ``delete()``
# included), so a change is seen by the next request; ``None`` answers from the
# database and keeps nothing. The version must also say for whom: a list that differs by
# audience is kept for one audience only, whose name is part of the version.
#
# The key also holds the language (the labels of choices), the day (filters such as
# "current member" mean today) and the whole address (filters, page, the scheme and host
# of the links in it). A bad filter or page raises before anything is kept.
#
# Comments, not docstrings: drf-spectacular would describe every operation of a viewset
# without a docstring of its own by them.
class VersionedListMixin:
    def list_version(self, request) -> str | None:
        raise NotImplementedError

    def list(self, request, *args, **kwargs):
        version = self.list_version(request)
        if version is None:
            return super().list(request, *args, **kwargs)
        address = hashlib.sha256(request.build_absolute_uri().encode()).hexdigest()[:32]
        language = translation.get_language() or ""
        key = f"api-list:{self.basename}:{version}:{language}:{timezone.localdate().isoformat()}:{address}"
        data = cache.get(key)
        if data is not None:
            return Response(data)
        response = super().list(request, *args, **kwargs)
        cache.set(key, response.data, LIST_SECONDS)
        return response


class RowsOf:
    """A filtered, ordered queryset as the paginator sees it: counted as it is (without the
    joins its rows need), a slice read as rows by ``read`` (a callable that takes the
    sliced queryset and returns a list of dicts)."""

    ordered = True  # by the queryset's order (the paginator warns about unordered lists)

    def __init__(self, queryset, *, read: Callable[..., list[dict]]) -> None:
        self.queryset = queryset
        self.read = read

    def count(self) -> int:
        return self.queryset.count()

    def __len__(self) -> int:
        return self.count()

    def __getitem__(self, window: slice) -> list[dict]:
        return self.read(self.queryset[window])
