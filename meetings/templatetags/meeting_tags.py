"""Template tags that put the calendar onto pages of other apps (the network page).

``contacts`` never imports ``meetings`` (one-way layers); its templates may still include
what the calendar renders, through this tag, when both apps are installed.
"""

from django import template

from meetings import selectors

register = template.Library()

NETWORK_PAGE_MEETINGS = 5


@register.inclusion_tag("meetings/_network_meetings.html", takes_context=True)
def network_meetings(context, network):
    """The next meetings of ``network`` as the viewer may see them, with links to plan (speakers)."""
    request = context.get("request")
    user = getattr(request, "user", None)
    return {
        "network": network,
        "meetings": list(selectors.meetings_upcoming(network=network, user=user, limit=NETWORK_PAGE_MEETINGS)),
        "manages": selectors.user_manages(user, network),
        "is_member": selectors.user_sees_internals(user, network),
    }
