"""The pages where speaker teams keep their network (``/netzwerke/<slug>/verwalten/…``)
and where Sozialplanung decides on their proposals (``/konto/vorschlaege/``); namespace
``network_manage``."""

from django.urls import path

from contacts import network_views as views

app_name = "network_manage"

urlpatterns = [
    path("netzwerke/<slug:slug>/verwalten/", views.network_manage, name="overview"),
    path("netzwerke/<slug:slug>/verwalten/angaben/", views.network_profile_edit, name="profile"),
    path("netzwerke/<slug:slug>/verwalten/gebiete/", views.network_areas_propose, name="areas"),
    path("netzwerke/<slug:slug>/verwalten/mitglied-hinzufuegen/", views.network_member_add, name="member_add"),
    path(
        "netzwerke/<slug:slug>/verwalten/einrichtung-vorschlagen/",
        views.institution_propose,
        name="institution_propose",
    ),
    path(
        "netzwerke/<slug:slug>/verwalten/mitgliedschaft/<uuid:uuid>/rolle/",
        views.membership_role_change,
        name="membership_role",
    ),
    path(
        "netzwerke/<slug:slug>/verwalten/mitgliedschaft/<uuid:uuid>/beenden/",
        views.membership_end,
        name="membership_end",
    ),
    path("netzwerke/<slug:slug>/verwalten/team/", views.team_elect, name="team"),
    path("netzwerke/<slug:slug>/verwalten/einladen/", views.invitation_create, name="invitation_create"),
    path(
        "netzwerke/<slug:slug>/verwalten/einladungen/<int:pk>/erneut/",
        views.invitation_resend,
        name="invitation_resend",
    ),
    path(
        "netzwerke/<slug:slug>/verwalten/einladungen/<int:pk>/zurueckziehen/",
        views.invitation_withdraw,
        name="invitation_withdraw",
    ),
    path("konto/vorschlaege/", views.proposal_list, name="proposals"),
    path("konto/vorschlaege/<int:pk>/entscheiden/", views.proposal_decide, name="proposal_decide"),
]
