from django.contrib import admin
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

from contacts import manage_urls as contacts_manage_urls
from contacts import public_urls as contacts_public_urls
from contacts import urls as contacts_urls
from indicators import views as indicator_views
from meetings import urls as meeting_urls
from netzwerk import directory, figures, freshness, imports, views

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
    path("eintraege/veraltet/", freshness.stale_entries_page, name="stale_entries"),
    path("eintraege/pruefbitte/<int:pk>/", freshness.entry_review_request_view, name="entry_review_request"),
    path("mein-bereich/meine-daten/", directory.my_data, name="my_data"),
    path("mein-bereich/meine-daten.json", directory.my_data_json, name="my_data_json"),
]

# The meeting page joins the calendar (meetings) and what was mailed (notifications); it is
# assembled here and keeps its name in the meetings namespace.
meeting_patterns = [path("<uuid:uid>/", views.meeting_page, name="meeting_detail"), *meeting_urls.urlpatterns]

# Member-list imports for Sozialplanung staff (netzwerk.imports: they also plan mail).
import_patterns = [
    path("", imports.import_list, name="list"),
    path("<int:pk>/", imports.import_detail, name="detail"),
    path("<int:pk>/spalten/", imports.import_mapping, name="mapping"),
    path("<int:pk>/vorschau/", imports.import_preview, name="preview"),
    path("<int:pk>/stand/", imports.import_status, name="status"),
]

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
    # The figures of the areas (netzwerk.figures); before the directory, whose
    # "gebiete/<slug>/" would take them for areas.
    path("gebiete/kennzahlen/", figures.figures_comparison, name="figures_comparison"),
    path("gebiete/kennzahlen/export.csv", figures.figures_comparison_csv, name="figures_comparison_csv"),
    path("gebiete/kennzahlen/import/", indicator_views.indicator_import, name="figures_import"),
    path("gebiete/abdeckung/", figures.figures_coverage, name="figures_coverage"),
    path("gebiete/abdeckung/export.csv", figures.figures_coverage_csv, name="figures_coverage_csv"),
    path("gebiete/karte/", figures.figures_map, name="figures_map"),
    path("gebiete/karte/export.csv", figures.figures_map_csv, name="figures_map_csv"),
    # Before the directory: "netzwerke/<slug>/verwalten/" is no public page.
    path("", include(contacts_manage_urls)),
    path("", include("notifications.rundmail_urls")),
    path("", include((directory_patterns, contacts_public_urls.app_name))),
    path("kalender/", include("meetings.feed_urls")),
    path("termine/", include((meeting_patterns, meeting_urls.app_name))),
    path("benachrichtigungen/", include("notifications.urls")),
    path("import/", include((import_patterns, "imports"))),
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
