"""Who may open which page: the checks every speaker and member view starts with.

Permissions come from ``meetings.rules`` (``user.has_perm(…, network)``), never from roles
tested here. Anonymous visitors are sent to the login; others get a German 403, or a 404
where even the existence of an internal meeting is not theirs to know.
"""

import functools

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.utils.translation import gettext as _

from contacts.models import Network
from contacts.selectors import user_roles
from meetings import selectors
from meetings.models import AgendaItem, Meeting, MeetingDocument, MeetingSeries


class LoginRequired(Exception):
    """Raised inside a view; ``login_redirect`` turns it into the redirect to the login."""


def network_or_404(slug: str) -> Network:
    network = Network.objects.filter(slug=slug).first()
    if network is None:
        raise Http404(_("Dieses Netzwerk gibt es nicht."))
    return network


def require_login(request) -> None:
    if not request.user.is_authenticated:
        raise LoginRequired


def require_manage(request, network: Network | Meeting) -> None:
    """Speakers and Geschäftsführung of ``network`` (of a meeting: of any network it belongs
    to) and Sozialplanung staff only."""
    require_login(request)
    if not selectors.user_manages(request.user, network):
        raise PermissionDenied(
            _("Nur das Sprecher*innenteam, die Geschäftsführung und die Sozialplanung dürfen das ändern.")
        )


def require_member(request, network: Network | Meeting) -> None:
    """Current members of ``network`` only (of a meeting: of any network it belongs to;
    answering and voting need a membership)."""
    require_login(request)
    network_ids = network.network_ids if isinstance(network, Meeting) else {network.pk}
    if not network_ids & set(user_roles(request.user).member_network_ids):
        raise PermissionDenied(_("Antworten und abstimmen können nur Mitglieder dieses Netzwerks."))


def meeting_or_404(request, uid) -> Meeting:
    """The meeting as the user may see it; an internal one is a 404 for everyone else.

    Views that change something call ``require_login`` first, so anonymous visitors are sent
    to the login there instead.
    """
    meeting = selectors.meeting_for_page(uid=uid, user=request.user)
    if meeting is None:
        raise Http404(_("Diese Sitzung gibt es nicht, oder sie ist nur für Mitglieder des Netzwerks sichtbar."))
    return meeting


def guarded(view):
    """Turn ``LoginRequired`` into the redirect to the login page."""

    @functools.wraps(view)
    def wrapper(request, *args, **kwargs):
        try:
            return view(request, *args, **kwargs)
        except LoginRequired:
            return redirect_to_login(request.get_full_path())

    return wrapper


def managed_network(request, slug: str) -> Network:
    """The network with ``slug``, if the user may plan for it (login, 404, 403 otherwise)."""
    require_login(request)
    network = network_or_404(slug)
    require_manage(request, network)
    return network


def managed_meeting(request, uid) -> Meeting:
    """The meeting with ``uid``, if the user may change it (login, 404, 403 otherwise)."""
    require_login(request)
    meeting = meeting_or_404(request, uid)
    require_manage(request, meeting)
    return meeting


def managed_series(request, pk: int) -> MeetingSeries:
    """The series with ``pk``, if the user may change it (login, 404 otherwise).

    Another network's series is a 404 like a missing one, as in the API: whether it
    exists is not the visitor's business.
    """
    require_login(request)
    series = MeetingSeries.objects.select_related("network", "institution").filter(pk=pk).first()
    if series is None or not selectors.user_manages(request.user, series.network):
        raise Http404(_("Diese Terminserie gibt es nicht."))
    return series


def managed_agenda_item(request, uid, item_id: int) -> tuple[Meeting, AgendaItem]:
    """The meeting with ``uid`` and its TOP ``item_id``, if the user may change them.

    Another network's TOP is a 404 like a missing one (login otherwise).
    """
    require_login(request)
    meeting = meeting_or_404(request, uid)
    item = AgendaItem.objects.filter(meeting=meeting, pk=item_id).first()
    if item is None or not selectors.user_manages(request.user, meeting):
        raise Http404(_("Diesen Tagesordnungspunkt gibt es nicht."))
    return meeting, item


def managed_document(request, uid, document_id: int) -> tuple[Meeting, MeetingDocument]:
    """The meeting with ``uid`` and its document ``document_id``, if the user may change
    them; another network's document is a 404 like a missing one (login otherwise)."""
    require_login(request)
    meeting = meeting_or_404(request, uid)
    document = selectors.document_visible(meeting, document_id)
    if document is None or not selectors.user_manages(request.user, meeting.network):
        raise Http404(_("Diese Unterlage gibt es nicht."))
    return meeting, document
