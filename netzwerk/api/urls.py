"""The API's one router: each app registers its viewsets in its ``api/urls.py``."""

from rest_framework.routers import DefaultRouter

from contacts.api.urls import register as register_contacts

router = DefaultRouter()
register_contacts(router)

urlpatterns = router.urls
