"""The Content-Security-Policy, and the two places that need a little more than the rest.

The policy itself is ``CONTENT_SECURITY_POLICY`` in the settings (django-csp). The admin of
Django 5.2 still writes a few ``<style>`` blocks (the change list with editable rows), and
Swagger UI on the API docs draws its icons from ``data:`` images; both get exactly that, on
their own paths, and no inline script anywhere.
"""

from csp.constants import UNSAFE_INLINE
from csp.middleware import CSPMiddleware, PolicyParts
from django.urls import reverse

from netzwerk.figures import map_tile_origin

# Path name -> directives added to the policy for every address below that path.
ALLOWANCES = {
    "admin:index": {"style-src": [UNSAFE_INLINE]},
    "api-docs": {"img-src": ["data:"]},
}


class PolicyMiddleware(CSPMiddleware):
    """django-csp's middleware with the allowances of ``ALLOWANCES`` by path."""

    def get_policy_parts(self, request, response, report_only: bool = False) -> PolicyParts:
        parts = super().get_policy_parts(request, response, report_only=report_only)
        for name, directives in ALLOWANCES.items():
            if request.path_info.startswith(reverse(name)):
                parts.update = {**directives, **(parts.update or {})}
        # The optional background tiles of the map of the areas (settings.AREAS_MAP_TILE_URL).
        tile_origin = map_tile_origin()
        if tile_origin and request.path_info == reverse("figures_map"):
            parts.update = {"img-src": [tile_origin], **(parts.update or {})}
        return parts
