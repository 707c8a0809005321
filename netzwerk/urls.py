from django.contrib import admin
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

from contacts import public_urls as contacts_public_urls
from contacts import urls as contacts_urls
from meetings import urls as meeting_urls
from netzwerk import directory, views

# The directory's namespaces, with the pages that show the calendar and mail settings too
# (assembled here, see netzwerk.directory). After the directory's own patterns, so that
# "gebiete/auswahl/" is never taken for an area.
directory_patterns = [
    *contacts_public_urls.urlpatterns,
    path("netzwerke/<slug:slug>/", directory.network_detail, name="network_detail"),
    path("netzwerke/<slug:slug>/kontakt/", directory.network_contact, name="network_contact"),
    path("gebiete/<slug:slug>/", directory.area_detail, name="area_detail"),
]
account_patterns = [
    *contacts_urls.urlpatterns,
    path("mein-bereich/", directory.my_area, name="my_area"),
]

# The meeting page joins the calendar (meetings) and what was mailed (notifications); it is
# assembled here and keeps its name in the meetings namespace.
meeting_patterns = [path("<uuid:uid>/", views.meeting_page, name="meeting_detail"), *meeting_urls.urlpatterns]

urlpatterns = [
    path("", views.home, name="home"),
    path("healthz", views.healthz, name="healthz"),
    path("suche/", views.search_page, name="search"),
    path("strassen/", views.street_suggestions, name="street_suggestions"),
    path("strassen/suche/", views.street_lookup, name="street_lookup"),
    path("impressum/", views.imprint, name="impressum"),
    path("datenschutz/", views.privacy, name="datenschutz"),
    path("barrierefreiheit/", views.accessibility, name="barrierefreiheit"),
    path("barrierefreiheit/gesendet/", views.accessibility_sent, name="barrierefreiheit_sent"),
    path("leichte-sprache/", views.easy_language, name="leichte_sprache"),
    path("sprache/", views.language_set, name="set_language"),
    path("konto/", include((account_patterns, contacts_urls.app_name))),
    path("", include((directory_patterns, contacts_public_urls.app_name))),
    path("kalender/", include("meetings.feed_urls")),
    path("termine/", include((meeting_patterns, meeting_urls.app_name))),
    path("benachrichtigungen/", include("notifications.urls")),
    path("sozialplanung/", include("netzwerk.staff.urls")),
    path("verwaltung/", admin.site.urls),
    path("api/v1/", include("netzwerk.api.urls")),
    path("api/schema/", SpectacularAPIView.as_view(), name="api-schema"),
    # The split view serves Swagger UI's start script as a file: no inline script (CSP).
    path(
        "api/docs/",
        SpectacularSwaggerSplitView.as_view(url_name="api-schema", template_name="netzwerk/swagger_ui.html"),
        name="api-docs",
    ),
]

handler400 = "netzwerk.views.bad_request"
handler403 = "netzwerk.views.permission_denied"
handler404 = "netzwerk.views.page_not_found"
handler500 = "netzwerk.views.server_error"
