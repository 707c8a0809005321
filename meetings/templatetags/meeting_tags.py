"""Template tags that put the calendar onto pages of other apps (the network page).

``contacts`` never imports ``meetings`` (one-way layers); its templates may still include
what the calendar renders, through this tag, when both apps are installed.
"""

import hashlib

from django import forms, template
from django.core.cache import cache
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _

from meetings import selectors

register = template.Library()

NETWORK_PAGE_MEETINGS = 5
# How long the fields of an unbound form stay rendered in the cache; the key names all the
# form shows, so nothing changes under it.
FORM_FIELDS_SECONDS = 24 * 60 * 60
# An initial value this long (a draft of the minutes) is rendered each time, not kept.
FORM_FIELDS_CACHED_VALUE_MAX = 2_000


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


def _form_fields_key(form) -> str | None:
    """The cache key of the rendered fields of ``form``: everything they show (field names,
    labels, help texts, widgets and their attributes, initial values, choices) and the
    language. None when the form is not to be kept: bound (it carries what a user typed
    and its errors), with choices read from the database, or with a long value."""
    if form.is_bound:
        return None
    parts = [type(form).__module__, type(form).__qualname__, form.prefix, form.auto_id, translation.get_language()]
    for bound in form:
        field = bound.field
        if isinstance(field, forms.ModelChoiceField):
            return None
        value = bound.value()
        if isinstance(value, str) and len(value) > FORM_FIELDS_CACHED_VALUE_MAX:
            return None
        widget = field.widget
        parts.append(
            (
                bound.name,
                type(field).__qualname__,
                type(widget).__qualname__,
                str(field.label),
                str(field.help_text),
                field.required,
                field.disabled,
                sorted((str(key), str(item)) for key, item in widget.attrs.items()),
                repr(value),
                [(str(key), str(label)) for key, label in getattr(field, "choices", ())],
            )
        )
    return "form-fields:" + hashlib.sha256(repr(parts).encode()).hexdigest()


@register.simple_tag
def form_fields(form) -> SafeString:
    """``meetings/_fields.html`` for ``form``; an unbound form's fields are rendered once and
    then taken from the cache (a speaker's meeting page shows six forms on every visit)."""
    key = _form_fields_key(form)
    if key is not None:
        found = cache.get(key)
        if found is not None:
            return SafeString(found)
    html = render_to_string("meetings/_fields.html", {"form": form})
    if key is not None:
        cache.set(key, str(html), FORM_FIELDS_SECONDS)
    return SafeString(html)


@register.simple_tag
def answer_rows(people, has_begun, presence_choices) -> SafeString:
    """The rows of the answers table on a speaker's meeting page (``_answer_rows.html``),
    kept in the cache under what they show: each person's id, name (as projected for the
    viewer), institutions, answer, note and presence, and the language. The same members
    with the same answers are rendered once, whoever asks; nothing else is in the key."""
    shown = (
        translation.get_language(),
        bool(has_begun),
        [(str(value), str(label)) for value, label in presence_choices],
        [
            (
                row["person"].id,
                row["person"].display_name,
                tuple(row["institutions"]),
                row["answer"],
                row["attendance"].note if row["attendance"] else "",
                row["attendance"].presence if row["attendance"] else "",
            )
            for row in people
        ],
    )
    key = "answer-rows:" + hashlib.sha256(repr(shown).encode()).hexdigest()
    found = cache.get(key)
    if found is None:
        found = str(
            render_to_string(
                "meetings/_answer_rows.html",
                {"people": people, "has_begun": has_begun, "presence_choices": presence_choices},
            )
        )
        cache.set(key, found, FORM_FIELDS_SECONDS)
    return SafeString(found)
