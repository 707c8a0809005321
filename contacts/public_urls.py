"""The public directory, mounted at the site root under the namespace ``directory``:
networks, institutions, areas. The network and area pages, which show the calendar too,
join the namespace from ``netzwerk.urls``."""

from django.urls import path

from contacts import views

app_name = "directory"

urlpatterns = [
    path("netzwerke/", views.network_list, name="network_list"),
    path("netzwerke/<slug:slug>/kontakt.vcf", views.network_vcard, name="network_vcard"),
    path("netzwerke/<slug:slug>/kontakt/gesendet/", views.network_contact_sent, name="network_contact_sent"),
    path("einrichtungen/", views.institution_list, name="institution_list"),
    path("einrichtungen/<slug:slug>/", views.institution_detail, name="institution_detail"),
    path("einrichtungen/<slug:slug>/kontakt/", views.institution_contact, name="institution_contact"),
    path("einrichtungen/<slug:slug>/kontakt.vcf", views.institution_vcard, name="institution_vcard"),
    path(
        "einrichtungen/<slug:slug>/kontakt/gesendet/",
        views.institution_contact_sent,
        name="institution_contact_sent",
    ),
    path("gebiete/", views.area_list, name="area_list"),
    path("gebiete/auswahl/", views.area_choose, name="area_choose"),
]
