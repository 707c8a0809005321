"""A joint meeting in a real Chromium: a speaker who leads the Stadtteilkonferenz and the
ÖAG plans a meeting of both; the ÖAG's page and calendar show it, its page names both
networks; axe finds no WCAG 2.1 A/AA violation on the form and the meeting page."""

import datetime

import pytest
from django.utils import timezone

from contacts.models import Membership
from meetings.models import Meeting
from tests.conftest import axe_violations
from tests.factories import MembershipFactory, NetworkFactory, PersonFactory, UserFactory
from tests.meetings.test_browser_speaker import PASSWORD, log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_speaker_plans_joint_meeting_and_partner_page_shows_it(page, axe_source):
    stk = NetworkFactory(name="Stadtteilkonferenz Eilendorf", short_name="STK Eilendorf", slug="stk-eilendorf")
    oag = NetworkFactory(
        name="ÖAG für und mit Senioren in Eilendorf und Rothe Erde",
        short_name="ÖAG Eilendorf / Rothe Erde",
        slug="oag-eilendorf-rothe-erde",
        kind="oag",
    )
    NetworkFactory(name="Stadtteilkonferenz Burtscheid", slug="stk-burtscheid")
    user = UserFactory(email="sprecherin@example.org", password=PASSWORD)
    person = PersonFactory(user=user)
    MembershipFactory(network=stk, person=person, role=Membership.Role.SPEAKER)
    MembershipFactory(network=oag, person=person, role=Membership.Role.SPEAKER)
    day = timezone.localdate() + datetime.timedelta(days=20)
    log_in(page, "sprecherin@example.org")

    page.goto("/termine/netzwerk/stk-eilendorf/sitzung-planen/")
    page.get_by_label("Titel").fill("Älter werden in Eilendorf")
    page.get_by_label("Tag").fill(day.isoformat())
    page.get_by_label("Beginn (Uhrzeit)").fill("16:30")
    page.get_by_label("Ende (Uhrzeit)").fill("18:30")
    page.get_by_label("oder Adresse").fill("Von-Coels-Straße 10, 52080 Aachen")
    group = page.get_by_role("group", name="Gemeinsame Sitzung mit")
    # Only the other network the speaker leads is offered (not Burtscheid).
    assert group.get_by_role("checkbox").count() == 1
    assert axe_violations(page, axe_source) == []
    group.get_by_label("ÖAG für und mit Senioren in Eilendorf und Rothe Erde").check()
    page.get_by_role("button", name="Speichern").click()
    page.wait_for_load_state()

    assert "Die Sitzung ist geplant." in page.locator(".messages").inner_text()
    lead = page.locator(".lead").first.inner_text()
    assert lead == "Gemeinsame Sitzung von STK Eilendorf und ÖAG Eilendorf / Rothe Erde"
    assert axe_violations(page, axe_source) == []
    meeting = Meeting.objects.get()

    page.get_by_role("link", name="ÖAG Eilendorf / Rothe Erde").click()
    page.wait_for_load_state()
    listed = page.locator("#sitzungen").locator("xpath=..").inner_text()
    assert "Älter werden in Eilendorf" in listed
    assert "Gemeinsame Sitzung von STK Eilendorf und ÖAG Eilendorf / Rothe Erde" in listed

    page.goto(f"/termine/netzwerk/oag-eilendorf-rothe-erde/kalender/?monat={day:%Y-%m}")
    page.get_by_role("link", name="Älter werden in Eilendorf").first.click()
    page.wait_for_load_state()
    assert page.url.endswith(f"/termine/{meeting.uid}/")
