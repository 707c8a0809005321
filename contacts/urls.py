from django.urls import path

from contacts import entry_views, views

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
]
