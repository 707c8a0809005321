"""The API's one router: each app registers its viewsets in its ``api/urls.py``."""

from django.urls import path
from rest_framework.routers import DefaultRouter

from contacts.api.urls import register as register_contacts
from meetings.api.urls import register as register_meetings
from netzwerk.api.token import TokenView

router = DefaultRouter()
register_contacts(router)
register_meetings(router)

urlpatterns = [
    path("token/", TokenView.as_view(), name="api-token"),
    *router.urls,
]
