"""The text a minutes draft starts from: the meeting, who was there, and each TOP with its
result (Decidim's closing report, OParl's AgendaItem.result), as Markdown.

Pure: it takes what the selectors read and returns text, so the service only decides
whether it may replace a draft. Who was there is written as institutions and roles by
default — the minutes are read by the network or the public, and private people are
named only when the speaker asks for names, and then only as far as the projection lets
the minutes' readers see them; a hidden name falls back to institution and role.
"""

from __future__ import annotations

from collections import Counter

from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from contacts.models import Membership, Person
from contacts.visibility import Audience, project_person
from meetings.models import AgendaItem, Attendance, Meeting


def _label_without_name(memberships: list[Membership]) -> str:
    """„Caritasverband Aachen“, „Sprecher*in (Caritasverband Aachen)“ or „Einzelmitglied“."""
    institutions = sorted({m.institution.name for m in memberships if m.institution is not None})
    roles = sorted(
        {str(m.get_role_display()) for m in memberships if m.role != Membership.Role.MEMBER},
    )
    where = ", ".join(institutions)
    if roles and where:
        return f"{', '.join(roles)} ({where})"
    if roles:
        return ", ".join(roles)
    return where or _("Einzelmitglied")


def _label_with_name(person: Person, memberships: list[Membership], audience: Audience) -> str | None:
    # Projected as of today: the minutes are read from now on, by today's members.
    view = project_person(person, audience)
    if view.name is None:
        return None
    institutions = sorted({m.institution.name for m in memberships if m.institution is not None})
    roles = sorted(
        {m.role_label(view.form_of_address) for m in memberships if m.role != Membership.Role.MEMBER},
    )
    details = ", ".join([*roles, *institutions])
    return f"{view.name} ({details})" if details else view.name


def attendance_lines(people: list[tuple[Person, list[Membership]]], *, names_for: Audience | None) -> list[str]:
    """One line per institution or role, with a count where several came from it; with
    ``names_for``, a person's name where that audience may see it."""
    counts: Counter[str] = Counter()
    for person, memberships in people:
        label = _label_with_name(person, memberships, names_for) if names_for is not None else None
        counts[label or _label_without_name(memberships)] += 1
    lines = []
    for label in sorted(counts, key=str.casefold):
        count = counts[label]
        if count > 1:
            label = ngettext("%(label)s (%(count)s Person)", "%(label)s (%(count)s Personen)", count) % {
                "label": label,
                "count": count,
            }
        lines.append(label)
    return lines


def minutes_template(
    *,
    meeting: Meeting,
    items: list[AgendaItem],
    presence: dict[str, list[tuple[Person, list[Membership]]]],
    names_for: Audience | None = None,
) -> str:
    """The Markdown of a minutes draft for ``meeting`` with ``items`` (in order) and the
    recorded ``presence`` (``selectors.meeting_presence``)."""
    # The page and the printout show the meeting above the text: the draft starts with who
    # came. Headings from level 3 on, as the Markdown renderer keeps them.
    parts = []
    for value, heading in (
        (Attendance.Presence.PRESENT, _("Anwesend")),
        (Attendance.Presence.EXCUSED, _("Entschuldigt")),
    ):
        lines = attendance_lines(presence.get(value, []), names_for=names_for)
        if lines:
            parts.append(f"### {heading}\n\n" + "\n".join(f"- {_escape(line)}" for line in lines))
    if not presence.get(Attendance.Presence.PRESENT):
        parts.append(f"### {_('Anwesend')}\n\n" + _("_Die Anwesenheit ist noch nicht erfasst._"))
    for item in items:
        heading = f"### {_('TOP')} {item.position}: {_escape(item.title)}"
        if not item.is_public:
            heading += f" ({_('nicht öffentlich')})"
        body = item.result.strip() or _("_Kein Ergebnis eingetragen._")
        parts.append(f"{heading}\n\n{body}")
    return "\n\n".join(parts) + "\n"


def _escape(text: str) -> str:
    """Names and institutions are text, not Markdown: „*“ or „_“ in them stay as typed."""
    return "".join(f"\\{character}" if character in "\\`*_[]<>#" else character for character in text)
