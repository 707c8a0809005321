from django.urls import path

from contacts import entry_views, my_area, views

app_name = "contacts"

urlpatterns = [
    path("anmelden/", views.LoginView.as_view(), name="login"),
    path("abmelden/", views.LogoutView.as_view(), name="logout"),
    path("passwort-vergessen/", views.PasswordResetView.as_view(), name="password_reset"),
    path("passwort-vergessen/gesendet/", views.PasswordResetDoneView.as_view(), name="password_reset_done"),
    path("passwort-neu/<uidb64>/<token>/", views.PasswordResetConfirmView.as_view(), name="password_reset_confirm"),
    path("einladung/<uidb64>/<token>/", views.InvitationAcceptView.as_view(), name="invitation_accept"),
    path("eintraege/vorschlaege/", entry_views.proposal_list, name="proposal_list"),
    path("eintraege/vorschlaege/<int:pk>/", entry_views.proposal_detail, name="proposal_detail"),
    path("passwort-neu/fertig/", views.PasswordResetCompleteView.as_view(), name="password_reset_complete"),
    # Mein Bereich: a member changes their own entry (the overview page is netzwerk.directory.my_area).
    path("mein-bereich/angaben/", my_area.profile_edit, name="my_profile"),
    path("mein-bereich/kontaktwege/neu/", my_area.channel_add_page, name="my_channel_add"),
    path("mein-bereich/kontaktwege/<int:pk>/", my_area.channel_edit_page, name="my_channel_edit"),
    path("mein-bereich/kontaktwege/<int:pk>/loeschen/", my_area.channel_remove_page, name="my_channel_remove"),
    path("mein-bereich/anmeldeadresse/", my_area.email_change_page, name="my_email_change"),
    path("anmeldeadresse/<str:token>/", my_area.email_change_confirm_page, name="email_change_confirm"),
    path("mein-bereich/passwort/", my_area.password_change_page, name="my_password"),
    path("mein-bereich/einwilligungen/", my_area.consent_grant_page, name="my_consent_grant"),
    path("mein-bereich/einwilligungen/<int:pk>/widerrufen/", my_area.consent_withdraw_page, name="my_consent_withdraw"),
    path("mein-bereich/netzwerke/<uuid:uuid>/austreten/", my_area.network_leave_page, name="my_network_leave"),
]
