from django.urls import path

from notifications import views

app_name = "notifications"

urlpatterns = [
    path("einstellungen/", views.preferences, name="preferences"),
    path("einstellungen/<str:token>/", views.preferences_by_token, name="preferences_by_token"),
    path("abbestellen/<str:token>/", views.unsubscribe, name="unsubscribe"),
    path("abbestellen-adresse/<str:token>/", views.address_unsubscribe, name="address_unsubscribe"),
    path("kopie/<str:token>/", views.contact_copy, name="contact_copy"),
    path("einladung/<uuid:uid>/", views.invitation_send, name="invitation_send"),
]
