"""Only Sozialplanung opens the staff pages (``contacts.manage_directory``, from the
``contacts.rules`` predicate ``is_sozialplanung``): anonymous visitors are sent to the
login, everyone else gets a German 403."""

import functools

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext as _

STAFF_PERMISSION = "contacts.manage_directory"


def may_see_staff_pages(user) -> bool:
    return user.is_authenticated and user.has_perm(STAFF_PERMISSION)


def sozialplanung_only(view):
    @functools.wraps(view)
    def wrapper(request, *args, **kwargs):
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        if not request.user.has_perm(STAFF_PERMISSION):
            raise PermissionDenied(_("Diese Seite ist nur für die Sozialplanung."))
        return view(request, *args, **kwargs)

    return wrapper
