"""Layout in a real Chromium at 375 and 1280 px: the month on a phone, one layout for every
checkbox and radio button, one style for every text field, hyphenation by German rules."""

import datetime

import pytest
from django.utils import timezone

from meetings.recurrence import BERLIN
from tests.meetings.factories import MeetingFactory
from tests.netzwerk.page_kinds import log_in_as, site_create

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE, DESKTOP = 375, 1280


@pytest.fixture
def site(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path  # the minutes' file
    return site_create()


def weekend_meetings(network) -> list[str]:
    """A meeting on the first Friday, Saturday and Sunday of this month; their titles."""
    first = timezone.localdate().replace(day=1)
    titles = []
    for weekday, title in [(4, "Freitagsrunde"), (5, "Samstagsfrühstück"), (6, "Sonntagsspaziergang")]:
        day = first + datetime.timedelta(days=(weekday - first.weekday()) % 7)
        MeetingFactory(
            network=network, title=title, start=datetime.datetime.combine(day, datetime.time(10), tzinfo=BERLIN)
        )
        titles.append(title)
    return titles


def shown(page, selector: str) -> list[str]:
    """Texts of the elements matching ``selector`` that are visible and inside the window."""
    return page.eval_on_selector_all(
        selector,
        """(nodes) => nodes.filter((node) => {
            const box = node.getBoundingClientRect();
            return box.width > 0 && box.height > 0 && box.left >= 0 && box.right <= window.innerWidth;
        }).map((node) => node.textContent.trim())""",
    )


def test_month_at_375_px_lists_every_meeting_and_the_grid_at_1280_px(page, site):
    titles = weekend_meetings(site.cast.network)
    month = timezone.localdate().strftime("%Y-%m")
    url = f"/termine/netzwerk/{site.cast.network.slug}/kalender/?monat={month}"

    page.set_viewport_size({"width": PHONE, "height": 800})
    page.goto(url)
    phone = shown(page, ".month-list .cal-meeting"), shown(page, "table.month")
    page.set_viewport_size({"width": DESKTOP, "height": 800})
    desktop = shown(page, ".month-list .cal-meeting"), len(shown(page, "table.month"))

    assert all(any(title in text for text in phone[0]) for title in titles), phone[0]
    assert (phone[1], desktop) == ([], ([], 1))


# Pages with checkboxes or radio buttons, each kind of form once.
CHOICE_PAGES = [
    "answer_by_token",
    "poll_vote_by_token",
    "network_detail",
    "preferences_by_token",
    "feed_help",
    "poll_speaker",
    "meeting_create",
]


def misplaced_choices(page) -> list[str]:
    """Checkboxes and radio buttons whose label is not on their right, on the same line."""
    return page.eval_on_selector_all(
        "input[type=checkbox], input[type=radio]",
        """(inputs) => inputs.filter((input) => input.offsetParent !== null).filter((input) => {
            const label = document.querySelector(`label[for="${input.id}"]`);
            if (!label) return true;
            const box = input.getBoundingClientRect();
            const text = label.getClientRects()[0];
            const sameLine = text.top < box.bottom && text.bottom > box.top;
            return !(sameLine && text.left >= box.right && text.left - box.right < 16);
        }).map((input) => location.pathname + " " + input.id)""",
    )


def test_every_checkbox_and_radio_button_sits_left_of_its_label(page, live_server, site):
    misplaced = []
    for kind in CHOICE_PAGES:
        who, url = site.pages[kind]
        log_in_as(page, live_server, site.cast.user(who))
        for width in (PHONE, DESKTOP):
            page.set_viewport_size({"width": width, "height": 800})
            page.goto(url)
            misplaced += misplaced_choices(page)

    assert misplaced == []


STYLE = """(node) => {
    const style = getComputedStyle(node);
    return [style.borderTopWidth, style.borderTopColor, style.paddingLeft, style.fontSize, style.fontFamily,
            style.borderRadius, node.getBoundingClientRect().height];
}"""


def test_search_field_has_the_style_of_every_other_field(page, site):
    page.goto(site.pages["network_detail"][1])
    name_field = page.eval_on_selector("#id_name", STYLE)
    page.goto(site.pages["search"][1])

    search_field = page.eval_on_selector("input[type=search]", STYLE)

    assert search_field == name_field


def test_text_is_hyphenated_by_the_rules_of_the_page_language(page, site):
    weekend_meetings(site.cast.network)
    month = timezone.localdate().strftime("%Y-%m")
    page.goto(f"/termine/netzwerk/{site.cast.network.slug}/kalender/?monat={month}")

    found = page.evaluate(
        """() => [document.documentElement.lang, getComputedStyle(document.querySelector("main")).hyphens,
                  getComputedStyle(document.querySelector(".cal-meeting")).hyphens,
                  getComputedStyle(document.querySelector(".cal-meeting")).overflowWrap]"""
    )

    assert found == ["de", "auto", "auto", "break-word"]
