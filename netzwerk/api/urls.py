"""The API's one router: each app registers its viewsets in its ``api/urls.py``."""

from django.http import JsonResponse
from django.urls import path, re_path
from django.utils.translation import gettext as _
from rest_framework.routers import DefaultRouter

from contacts.api.urls import register as register_contacts
from meetings.api.urls import register as register_meetings
from netzwerk.api.token import TokenView
from netzwerk.api.views import AreaViewSet, NetworkViewSet, SearchView
from netzwerk.staff.api import NetworkOverviewView, YearlyReportView

router = DefaultRouter()
register_contacts(router, area_viewset=AreaViewSet, network_viewset=NetworkViewSet)
register_meetings(router)


def not_found(request, rest: str = ""):
    """Any other address below the API answers in JSON, like the API itself (not an HTML page)."""
    return JsonResponse(
        {"detail": _("Diese Adresse gibt es in der API nicht. Adressen der API enden mit „/“; siehe /api/docs/.")},
        status=404,
    )


urlpatterns = [
    path("search/", SearchView.as_view(), name="api-search"),
    path("token/", TokenView.as_view(), name="api-token"),
    path("sozialplanung/overview/", NetworkOverviewView.as_view(), name="api-staff-overview"),
    path("sozialplanung/jahresbericht/<int:year>/", YearlyReportView.as_view(), name="api-staff-report"),
    *router.urls,
    re_path(r"^(?P<rest>.*)$", not_found),
]
