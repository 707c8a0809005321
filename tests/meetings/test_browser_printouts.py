"""The speaker's Verlauf, attendance sheet and printed invitation in a real Chromium: no
WCAG 2.1 A/AA violation (axe), no horizontal scrolling at 375 px, and the attendance sheet
printed (print media) keeps its signature column and leaves out the site's navigation.
Screenshots at 1280 and 375 px go to ``NETZWERK_SCREENSHOTS`` when it is set."""

import os
from pathlib import Path

import pytest
from django.urls import reverse

from contacts import services
from contacts.models import Consent, InstitutionCategory, InstitutionType, Visibility
from contacts.services.entries import network_fields_update
from meetings import services as meeting_services
from meetings.models import Attendance
from tests.conftest import axe_violations
from tests.factories import ConsentFactory, InstitutionFactory, PersonFactory
from tests.meetings.factories import AgendaItemFactory, MeetingFactory, in_days
from tests.meetings.test_browser_speaker import PASSWORD, log_in
from tests.meetings.web_cast import cast_create

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _shoot(page, name: str) -> None:
    folder = os.environ.get("NETZWERK_SCREENSHOTS")
    if folder:
        Path(folder).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=f"{folder}/{name}.png", full_page=True)


def _scenario():
    cast = cast_create(password=PASSWORD)
    network_fields_update(network=cast.network, rhythm="viermal im Jahr")
    meeting = MeetingFactory(network=cast.network, title="Herbstsitzung", start=in_days(7), end=in_days(7, hour=20))
    AgendaItemFactory(meeting=meeting, position=1, title="Begrüßung und Vorstellungsrunde")
    AgendaItemFactory(meeting=meeting, position=2, title="Bericht aus den Arbeitskreisen")
    # Its own type: the flush after an earlier transactional test removed the migrations' vocabulary.
    category, _ = InstitutionCategory.objects.get_or_create(name="Kinder und Familie")
    kind, _ = InstitutionType.objects.get_or_create(
        slug="familienzentrum", defaults={"name": "Familienzentrum", "category": category}
    )
    institution = InstitutionFactory(name="Familienzentrum Kurpark", type=kind)
    for given, family in (("Ute", "Zeigt"), ("Jonas", "Becker"), ("Verena", "Verborgen")):
        person = PersonFactory(given_name=given, family_name=family)
        if family != "Verborgen":
            ConsentFactory(person=person, scope=Consent.Scope.NAME, audience=Visibility.NETWORK_MEMBERS)
        services.membership_start(network=cast.network, person=person, institution=institution)
        meeting_services.attendance_answer(meeting=meeting, person=person, answer=Attendance.Answer.YES)
    return cast, meeting


@pytest.mark.parametrize("kind", ["history", "attendance", "invitation"])
def test_speaker_printouts_are_accessible_and_fit_375_px(page, axe_source, kind):
    cast, meeting = _scenario()
    url = {
        "history": reverse("meetings:network_history", args=[cast.network.slug]),
        "attendance": reverse("meetings:attendance_sheet", args=[meeting.uid]),
        "invitation": reverse("meetings:invitation_print", args=[meeting.uid]),
    }[kind]
    log_in(page, "sprecherin@example.org")

    page.goto(url)

    assert axe_violations(page, axe_source) == []
    _shoot(page, f"{kind}-1280")
    page.set_viewport_size({"width": 375, "height": 800})
    assert page.evaluate("document.documentElement.scrollWidth") <= 375
    _shoot(page, f"{kind}-375")


def test_attendance_sheet_prints_without_navigation_with_signature_column(page):
    _cast, meeting = _scenario()
    log_in(page, "sprecherin@example.org")
    page.goto(reverse("meetings:attendance_sheet", args=[meeting.uid]))

    page.emulate_media(media="print")

    assert page.locator(".site-header nav").first.is_hidden()
    assert page.get_by_role("button", name="Drucken").is_hidden()
    assert page.locator("th.signature").is_visible()
    assert page.locator("tr.walk-in").count() == 10
    _shoot(page, "attendance-print")
    pdf = page.pdf(format="A4")
    assert pdf.startswith(b"%PDF")
