"""The pages of „Rundmail“ below a network (namespace ``rundmail``)."""

from django.urls import path

from notifications import rundmail_views as views

app_name = "rundmail"

urlpatterns = [
    path("netzwerke/<slug:slug>/rundmails/", views.archive, name="archive"),
    path("netzwerke/<slug:slug>/rundmails/neu/", views.compose_page, name="compose"),
    path("netzwerke/<slug:slug>/rundmails/vorschlagen/", views.propose, name="propose"),
    path("netzwerke/<slug:slug>/rundmails/ausgang/", views.outbox, name="outbox"),
    path("netzwerke/<slug:slug>/rundmails/<int:pk>/", views.detail, name="detail"),
    path("netzwerke/<slug:slug>/rundmails/<int:pk>/bearbeiten/", views.edit, name="edit"),
    path("netzwerke/<slug:slug>/rundmails/<int:pk>/senden/", views.schedule, name="schedule"),
    path("netzwerke/<slug:slug>/rundmails/<int:pk>/zurueckziehen/", views.withdraw, name="withdraw"),
    path("netzwerke/<slug:slug>/rundmails/<int:pk>/ablehnen/", views.reject, name="reject"),
    path("netzwerke/<slug:slug>/rundmails/<int:pk>/verwerfen/", views.discard, name="discard"),
    path(
        "netzwerke/<slug:slug>/rundmails/<int:pk>/dateien/<int:attachment_pk>/",
        views.attachment,
        name="attachment",
    ),
]
