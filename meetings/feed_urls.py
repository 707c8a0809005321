"""The iCal feeds and their pages, mounted at ``/kalender/``. No URL here asks for a login
except the member's own calendar page: calendar servers cannot log in."""

from django.urls import path

from meetings.views import feeds as views

app_name = "feeds"

urlpatterns = [
    path("stadt.ics", views.feed_city, name="city"),
    path("netzwerk/<slug:slug>.ics", views.feed_network, name="network"),
    path("art/<slug:kind>.ics", views.feed_kind, name="kind"),
    path("gebiet/<slug:slug>.ics", views.feed_area, name="area"),
    path("auswahl.ics", views.feed_builder, name="builder"),
    path("termin/<uuid:uid>.ics", views.feed_meeting, name="meeting"),
    path("persoenlich/<slug:token>.ics", views.feed_personal, name="personal"),
    path("hilfe/", views.help_page, name="help"),
    path("mein-kalender/", views.my_calendar, name="my_calendar"),
    path("mein-kalender/neu/", views.my_calendar_issue, name="my_calendar_issue"),
    path("mein-kalender/abschalten/", views.my_calendar_revoke, name="my_calendar_revoke"),
]
