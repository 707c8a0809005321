"""Template tags that put the calendar onto pages of other apps (the network page).

``contacts`` never imports ``meetings`` (one-way layers); its templates may still include
what the calendar renders, through this tag, when both apps are installed.
"""

from django import template
from django.urls import reverse
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _

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


def _names_joined(parts: list[SafeString]) -> SafeString:
    """„A“, „A und B“, „A, B und C“ (the parts are escaped already)."""
    if len(parts) == 1:
        return parts[0]
    first = format_html_join(", ", "{}", ((part,) for part in parts[:-1]))
    return format_html(_("{first} und {last}"), first=first, last=parts[-1])


@register.simple_tag
def joint_networks(meeting, *, links: bool = True) -> SafeString:
    """„Gemeinsame Sitzung von STK Eilendorf und ÖAG Eilendorf / Rothe Erde“, the host
    first, each name linked to its network's page; only the host's name for a meeting of
    one network. Reads ``partner_networks`` (prefetch it for lists)."""
    parts = []
    for network in meeting.networks:
        name = network.short_name or network.name
        if links:
            url = reverse("directory:network_detail", args=[network.slug])
            parts.append(format_html('<a href="{}">{}</a>', url, name))
        else:
            parts.append(format_html("{}", name))
    if len(parts) == 1:
        return format_html("{}", meeting.network.name)
    return format_html(_("Gemeinsame Sitzung von {networks}"), networks=_names_joined(parts))
