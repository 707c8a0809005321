"""A URL that fails, for the tests of the 500 page: the project's URLs and one broken view."""

from django.urls import path

from netzwerk.urls import handler500, urlpatterns


def broken(request):
    raise RuntimeError("kaputt")


urlpatterns = [*urlpatterns, path("kaputt/", broken)]
__all__ = ["handler500", "urlpatterns"]
