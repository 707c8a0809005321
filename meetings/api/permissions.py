"""Who may write through the calendar API: the permission rules, asked in one way.

Every decision is ``user.has_perm(<perm>, network)`` (``meetings/rules.py``); these classes
only find the network an object belongs to and pick the permission for the action.
"""

from django.utils.translation import gettext_lazy as _
from rest_framework import permissions

MANAGE = "meetings.manage_meetings"
ANSWER = "meetings.answer_meetings"

MESSAGES = {
    MANAGE: _(
        "Nur die Sprecher*innen und die Geschäftsführung dieses Netzwerks sowie die Sozialplanung dürfen das ändern."
    ),
    ANSWER: _("Nur Mitglieder dieses Netzwerks können hier antworten oder abstimmen."),
}


def network_of(obj):
    """What the permission is asked on: a meeting itself (a joint meeting belongs to several
    networks, the rules ask about each), an agenda item's meeting, a series' or poll's network."""
    if hasattr(obj, "network_ids"):
        return obj
    if hasattr(obj, "network"):
        return obj.network
    return obj.meeting


def required_perm(view, request) -> str | None:
    """The permission the current action needs on the object's network (``None``: reading)."""
    perm = getattr(view, "action_perms", {}).get(view.action)
    if perm is not None:
        return perm
    return None if request.method in permissions.SAFE_METHODS else MANAGE


def has_network_perm(user, perm: str, network) -> bool:
    return bool(user and user.is_authenticated and user.has_perm(perm, network))


class NetworkPermission(permissions.IsAuthenticatedOrReadOnly):
    """Reading follows the view's queryset (which already hides what the user may not see);
    writing needs the action's permission on the object's network; anonymous writes are 401."""

    def has_permission(self, request, view):
        if required_perm(view, request) is not None and not (request.user and request.user.is_authenticated):
            return False
        return super().has_permission(request, view)

    def has_object_permission(self, request, view, obj):
        perm = required_perm(view, request)
        if perm is None:
            return True
        self.message = MESSAGES[perm]
        return has_network_perm(request.user, perm, network_of(obj))
