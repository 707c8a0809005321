"""The API's one router: each app registers its viewsets in its ``api/urls.py``."""

from django.http import JsonResponse
from django.urls import path, re_path
from django.utils.translation import gettext as _
from rest_framework.routers import DefaultRouter

from contacts.api.freshness import EntryCheckView, EntryConfirmView, EntryProposalView
from contacts.api.urls import register as register_contacts
from indicators.api.urls import register as register_indicators
from meetings.api.urls import register as register_meetings
from netzwerk.api import me
from netzwerk.api.freshness import StaleEntriesView
from netzwerk.api.token import TokenView
from netzwerk.api.views import AreaViewSet, NetworkViewSet, SearchView
from netzwerk.staff.api import NetworkOverviewView, YearlyReportView
from notifications.api.urls import register as register_notifications

router = DefaultRouter()
register_contacts(router, area_viewset=AreaViewSet, network_viewset=NetworkViewSet)
register_meetings(router)
register_indicators(router)
register_notifications(router)


def not_found(request, rest: str = ""):
    """Any other address below the API answers in JSON, like the API itself (not an HTML page)."""
    return JsonResponse(
        {"detail": _("Diese Adresse gibt es in der API nicht. Adressen der API enden mit „/“; siehe /api/docs/.")},
        status=404,
    )


urlpatterns = [
    path("search/", SearchView.as_view(), name="api-search"),
    path("token/", TokenView.as_view(), name="api-token"),
    path("entry-checks/<str:token>/", EntryCheckView.as_view(), name="api-entry-check"),
    path("entry-checks/<str:token>/confirm/", EntryConfirmView.as_view(), name="api-entry-confirm"),
    path("entry-checks/<str:token>/proposal/", EntryProposalView.as_view(), name="api-entry-proposal"),
    path("stale-entries/", StaleEntriesView.as_view(), name="api-stale-entries"),
    path("me/", me.MeView.as_view(), name="api-me"),
    path("me/channels/", me.MeChannelsView.as_view(), name="api-me-channels"),
    re_path(rf"^me/channels/(?P<pk>{me.ID_PATTERN})/$", me.MeChannelView.as_view(), name="api-me-channel"),
    path("me/consents/", me.MeConsentsView.as_view(), name="api-me-consents"),
    re_path(
        rf"^me/consents/(?P<pk>{me.ID_PATTERN})/withdraw/$", me.MeConsentWithdrawView.as_view(), name="api-me-withdraw"
    ),
    path("me/memberships/<uuid:uuid>/leave/", me.MeLeaveView.as_view(), name="api-me-leave"),
    path("me/email/", me.MeEmailView.as_view(), name="api-me-email"),
    path("me/password/", me.MePasswordView.as_view(), name="api-me-password"),
    path("me/export/", me.MeExportView.as_view(), name="api-me-export"),
    path("sozialplanung/overview/", NetworkOverviewView.as_view(), name="api-staff-overview"),
    path("sozialplanung/jahresbericht/<int:year>/", YearlyReportView.as_view(), name="api-staff-report"),
    *router.urls,
    re_path(r"^(?P<rest>.*)$", not_found),
]
