from django.contrib import admin
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView

from netzwerk import views

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
    path("konto/", include("contacts.urls")),
    path("", include("contacts.public_urls")),
    path("kalender/", include("meetings.feed_urls")),
    path("termine/", include("meetings.urls")),
    path("benachrichtigungen/", include("notifications.urls")),
    path("verwaltung/", admin.site.urls),
    path("api/v1/", include("netzwerk.api.urls")),
    path("api/schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path("api/docs/", SpectacularSwaggerView.as_view(url_name="api-schema"), name="api-docs"),
]

handler400 = "netzwerk.views.bad_request"
handler403 = "netzwerk.views.permission_denied"
handler404 = "netzwerk.views.page_not_found"
handler500 = "netzwerk.views.server_error"
