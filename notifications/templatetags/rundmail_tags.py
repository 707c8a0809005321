"""The Rundmails of a network on its page, for its members (the page is assembled in
``netzwerk``; the directory's templates never name the mail)."""

from django import template

from contacts.selectors import user_roles
from notifications import selectors
from notifications.models import Rundmail

register = template.Library()

NETWORK_PAGE_RUNDMAILS = 3


@register.inclusion_tag("notifications/rundmail/_network_rundmails.html", takes_context=True)
def network_rundmails(context, network):
    """The latest Rundmails of ``network`` as the viewer may read them (nothing for others)."""
    request = context.get("request")
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated or not user.has_perm("notifications.read_rundmails", network):
        return {"hidden": True}
    sees_all = user.has_perm("notifications.send_rundmail", network)
    archive = selectors.rundmail_archive(network=network, person_id=user_roles(user).person_id, sees_all=sees_all)
    return {
        "network": network,
        "rundmails": list(archive[:NETWORK_PAGE_RUNDMAILS]),
        "sees_all": sees_all,
        "outbox_count": (
            selectors.rundmails_for_network(network=network, states=Rundmail.OPEN).count() if sees_all else 0
        ),
    }
