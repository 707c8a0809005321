"""Reads that concern the whole site rather than one app."""

from django.core.cache import cache

from contacts.models import Network, Person
from netzwerk.models import SitePage

DEMO_MARKER_CACHE_KEY = "netzwerk:demo-data-present"


def demo_data_present() -> bool:
    """Whether demo data is loaded (cached for a minute: asked on every page)."""
    present = cache.get(DEMO_MARKER_CACHE_KEY)
    if present is None:
        present = Person.objects.filter(is_demo=True).exists() or Network.objects.filter(is_demo=True).exists()
        cache.set(DEMO_MARKER_CACHE_KEY, present, timeout=60)
    return present


def site_page_get(*, slug: str) -> SitePage | None:
    """The edited text of a site page, or ``None`` while it keeps its default text."""
    return SitePage.objects.filter(slug=slug).first()
