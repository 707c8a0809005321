"""English is a real second language: every German source string has an English
translation, the shipped .mo says what the .po says, and each page says in ``lang`` the
language of its text, switchable in the header."""

import datetime
import os
import shutil
import subprocess
import sys
from pathlib import Path

import polib
import pytest
from django.conf import settings
from django.utils import translation

from contacts.models import Street
from tests.factories import LivingAreaFactory, NetworkFactory
from tests.meetings.factories import MeetingFactory

ROOT = Path(settings.BASE_DIR)
LOCALE = ROOT / "netzwerk" / "locale"
ENGLISH_PO = LOCALE / "en" / "LC_MESSAGES" / "django.po"
# What `make messages` leaves out of the extraction (see the Makefile).
NOT_SOURCE = (".venv", "node_modules", "var", "tests", "bench", "build", ".git", "__pycache__", "*.mo")


@pytest.fixture(autouse=True)
def _default_language_afterwards():
    """A request in English leaves English active in this thread (the test client does not
    reset it); later tests expect the default, German."""
    yield
    translation.deactivate()


def catalogue_entries(catalogue) -> dict:
    """(context, msgid) → the translation(s) of every translated entry of a .po or .mo."""
    entries = {}
    for entry in catalogue.translated_entries() if isinstance(catalogue, polib.POFile) else catalogue:
        translation_text = tuple(entry.msgstr_plural[n] for n in sorted(entry.msgstr_plural)) or (entry.msgstr,)
        entries[(entry.msgctxt, entry.msgid)] = translation_text
    return entries


def untranslated(po: polib.POFile) -> list[str]:
    return [
        entry.msgid
        for entry in po
        if not entry.obsolete
        and (
            "fuzzy" in entry.flags or not (entry.msgstr or (entry.msgstr_plural and all(entry.msgstr_plural.values())))
        )
    ]


def test_english_catalogue_translates_every_string_of_the_current_source(tmp_path):
    """Extract the strings of the code and templates as they are now (as `make messages`
    does, into a copy of the checkout) and merge them with the shipped catalogue: a German
    string added without its English translation fails here."""
    copy = tmp_path / "checkout"
    shutil.copytree(ROOT, copy, ignore=shutil.ignore_patterns(*NOT_SOURCE))
    command = [sys.executable, "manage.py", "makemessages", "--locale=en", "--no-obsolete"]
    command += [f"--ignore={folder}/*" for folder in NOT_SOURCE[:6]]
    subprocess.run(
        command, cwd=copy, check=True, capture_output=True, timeout=120, env={**os.environ, "DJANGO_DEBUG": "1"}
    )

    po = polib.pofile(str(copy / ENGLISH_PO.relative_to(ROOT)))

    assert untranslated(po) == []
    assert len(po) > 1000


@pytest.mark.parametrize("language", ["en", "de"])
def test_shipped_mo_says_what_the_po_says(language):
    po_path = LOCALE / language / "LC_MESSAGES" / "django.po"

    po = polib.pofile(str(po_path))
    mo = polib.mofile(str(po_path.with_suffix(".mo")))

    assert catalogue_entries(mo) == catalogue_entries(po)


def test_english_translations_keep_the_placeholders():
    """msgfmt --check: the same %(name)s placeholders in msgid and msgstr."""
    result = subprocess.run(
        ["msgfmt", "--check-format", "-o", "/dev/null", str(ENGLISH_PO)], capture_output=True, text=True, timeout=60
    )

    assert (result.returncode, result.stderr) == (0, "")


@pytest.mark.django_db
def test_home_page_in_english_for_a_browser_that_prefers_english(client):
    html = client.get("/", HTTP_ACCEPT_LANGUAGE="en-GB,en;q=0.9").content.decode()

    assert ('<html lang="en">' in html, "Skip to content" in html, "Zum Inhalt springen" in html) == (True, True, False)


@pytest.mark.django_db
def test_home_page_german_by_default(client):
    html = client.get("/").content.decode()

    assert ('<html lang="de">' in html, "Zum Inhalt springen" in html) == (True, True)


@pytest.mark.django_db
def test_language_switch_in_the_header_posts_to_set_language(client):
    html = client.get("/", HTTP_ACCEPT_LANGUAGE="de").content.decode()

    assert '<form class="language-switch" method="post" action="/sprache/">' in html
    assert '<button type="submit" name="language" value="en" lang="en"' in html


@pytest.mark.django_db
def test_language_switch_sets_the_language_of_the_next_page(client):
    response = client.post("/sprache/", {"language": "de", "next": "/impressum/"}, HTTP_ACCEPT_LANGUAGE="en")
    html = client.get("/impressum/", HTTP_ACCEPT_LANGUAGE="en").content.decode()

    assert (response.status_code, response["Location"]) == (302, "/impressum/")
    assert ('<html lang="de">' in html, "<h1>Impressum</h1>" in html) == (True, True)


@pytest.mark.django_db
def test_language_switch_needs_no_csrf_token(settings):
    """Public pages are cached for all visitors and so carry no token."""
    from django.test import Client

    client = Client(enforce_csrf_checks=True)

    response = client.post("/sprache/", {"language": "en", "next": "/"})

    assert (response.status_code, response.cookies[settings.LANGUAGE_COOKIE_NAME].value) == (302, "en")


@pytest.mark.django_db
def test_public_cache_keeps_the_languages_apart(client, settings):
    settings.PUBLIC_CACHE_SECONDS = 60

    english = client.get("/impressum/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    german = client.get("/impressum/", HTTP_ACCEPT_LANGUAGE="de").content.decode()

    assert ('lang="en"' in english, "Legal notice" in english) == (True, True)
    assert ('lang="de"' in german, "Legal notice" in german) == (True, False)


@pytest.mark.django_db
def test_easy_language_page_stays_german_and_says_so_in_english_interface(client):
    html = client.get("/leichte-sprache/", HTTP_ACCEPT_LANGUAGE="en").content.decode()

    assert ('<html lang="en">' in html, '<div lang="de">' in html, "Was ist Netzwerk Aachen?" in html) == (
        True,
        True,
        True,
    )


def test_rule_description_in_english_says_2nd_not_2_dot():
    import datetime

    from meetings.recurrence import rule_describe

    with translation.override("en"):
        text = rule_describe("FREQ=MONTHLY;BYDAY=2TU", datetime.time(18, 30), 90)

    assert text == "every 2nd Tuesday of the month, 18:30 to 20:00"


@pytest.mark.django_db
def test_admin_delete_action_needs_no_declined_model_name(admin_client):
    """Django says „Ausgewählte Straßenverzeichnis löschen“; the German catalogue
    overrides it with a wording that fits every model name."""
    Street.objects.create(name="Reichsweg", search_name="reichsweg", area=LivingAreaFactory())

    html = admin_client.get("/verwaltung/contacts/street/", HTTP_ACCEPT_LANGUAGE="de").content.decode()

    assert ("Ausgewählte Einträge löschen (Straßenverzeichnis)" in html, "Ausgewählte Straßenverzeichnis" in html) == (
        True,
        False,
    )


def test_password_texts_of_django_speak_formally_in_german():
    from django.contrib.auth.forms import SetPasswordForm
    from django.contrib.auth.password_validation import password_validators_help_texts

    with translation.override("de"):
        help_texts = [str(text) for text in password_validators_help_texts()]
        confirmation = str(SetPasswordForm.declared_fields["new_password2"].help_text)

    assert confirmation == "Bitte geben Sie dasselbe Passwort zur Bestätigung noch einmal ein."
    assert [text for text in help_texts if not text.startswith("Ihr Passwort")] == []


@pytest.mark.django_db
def test_what_a_network_wrote_is_marked_german_on_an_english_page(client):
    network = NetworkFactory(description="Wir treffen uns im Bürgerhaus.", rhythm="etwa alle zwei Monate")

    html = client.get(f"/netzwerke/{network.slug}/", HTTP_ACCEPT_LANGUAGE="en").content.decode()

    assert '<div class="description" lang="de"><p>Wir treffen uns im Bürgerhaus.</p></div>' in html
    assert '<dd lang="de">etwa alle zwei Monate</dd>' in html


@pytest.mark.django_db
def test_meeting_times_in_english_without_uhr(client):
    start = datetime.datetime(2027, 3, 9, 17, 30, tzinfo=datetime.UTC)
    meeting = MeetingFactory(start=start, end=start + datetime.timedelta(minutes=90))

    english = client.get(f"/termine/{meeting.uid}/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    german = client.get(f"/termine/{meeting.uid}/", HTTP_ACCEPT_LANGUAGE="de").content.decode()

    assert ("Tuesday 9 March 2027, 18:30" in english, "Uhr" in english) == (True, False)
    assert ("Dienstag, 09.03.2027, 18:30" in german, "20:00 Uhr" in german) == (True, True)


def test_django_form_errors_speak_formally_in_german():
    from django import forms

    field = forms.DateTimeField()

    with translation.override("de"):
        with pytest.raises(forms.ValidationError) as error:
            field.clean("gestern")
        messages = error.value.messages  # lazy: read while German is active

    assert messages == ["Bitte geben Sie ein gültiges Datum mit Uhrzeit ein."]
