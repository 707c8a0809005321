"""The API's one router: each app registers its viewsets in its ``api/urls.py``."""

from django.urls import path
from rest_framework.routers import DefaultRouter

from contacts.api.urls import register as register_contacts
from netzwerk.api.views import SearchView

router = DefaultRouter()
register_contacts(router)

urlpatterns = [
    path("search/", SearchView.as_view(), name="api-search"),
    *router.urls,
]
