"""One page of every kind the site renders (the admin aside), with the person who sees it.

Used by the tests that must hold on every page: no template syntax leaks into the HTML,
and the browser reports no Content-Security-Policy violation. A new kind of page belongs
here.
"""

import datetime
from dataclasses import dataclass

from django.conf import settings
from django.contrib.auth.tokens import default_token_generator
from django.core.files.base import ContentFile
from django.test import Client
from django.utils import timezone
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from contacts import services as contact_services
from contacts.entry_links import entry_link_path, entry_link_read, entry_token_make
from contacts.models import Consent, InstitutionCategory, InstitutionType, Network
from contacts.services import imports
from contacts.services.freshness import institution_change_propose
from meetings import services as meeting_services
from meetings import tokens as meeting_tokens
from meetings.models import Minutes, Visibility
from notifications import tokens as notification_tokens
from tests.factories import (
    AreaFactory,
    ChannelFactory,
    ConsentFactory,
    InstitutionFactory,
    LivingAreaFactory,
    MembershipFactory,
    SocialAreaFactory,
)
from tests.meetings.factories import DatePollFactory, DatePollOptionFactory, MeetingFactory, in_days
from tests.meetings.web_cast import Cast, cast_create

# The pages that answer with an error page on purpose; every other page answers 200.
ERROR_STATUS = {"not_found": 404, "answer_link_invalid": 404, "entry_link_invalid": 400, "guest_cancel_invalid": 404}


@dataclass
class Site:
    cast: Cast
    # kind -> (who looks: "anonymous", "member", "speaker", "staff"; the address)
    pages: dict[str, tuple[str, str]]


def site_create(*, password: str | None = None) -> Site:
    """The cast, a directory around its network, a meeting with minutes, a poll, and the pages."""
    cast = cast_create(password=password)
    network = cast.network
    district = AreaFactory(name="Aachen-Mitte", slug="aachen-mitte", code="1")
    social_area = SocialAreaFactory(parent=district, name="Burtscheid", slug="burtscheid", code="5")
    living_area = LivingAreaFactory(parent=social_area, name="Frankenberg", slug="frankenberg", code="362")
    network.areas.add(social_area)
    # Its own type: the flush after an earlier transactional test removed the migrations' vocabulary.
    category, _ = InstitutionCategory.objects.get_or_create(name="Kinder und Familie")
    institution_type, _ = InstitutionType.objects.get_or_create(
        slug="familienzentrum", defaults={"name": "Familienzentrum", "category": category}
    )
    institution = InstitutionFactory(
        name="Familienzentrum Frankenberg", slug="fz-frankenberg", type=institution_type, area=living_area
    )
    MembershipFactory(network=network, institution=institution, person=None)
    ConsentFactory(person=cast.speaker_person, scope=Consent.Scope.NAME)
    ConsentFactory(
        person=cast.speaker_person, scope=Consent.Scope.EMAIL, channel=ChannelFactory(person=cast.speaker_person)
    )
    working_group = Network.objects.create(
        name="AK Jugend Burtscheid", slug="ak-jugend-burtscheid", kind=Network.Kind.WORKING_GROUP, parent=network
    )
    past = MeetingFactory(network=network, title="Plenum im Frühjahr", start=in_days(-7))
    past_item = meeting_services.agenda_item_add(meeting=past, title="Bericht aus den Einrichtungen")
    meeting_services.agenda_item_update(item=past_item, result="Die Einrichtungen berichten reihum.")
    Minutes.objects.create(
        meeting=past,
        text="Es wurde beraten.",
        file=ContentFile(b"%PDF-1.4\n", name="protokoll-fruehjahr.pdf"),
        visibility=Visibility.MEMBERS,
        published_at=timezone.now(),
    )
    upcoming = MeetingFactory(network=network, title="Plenum im Sommer", start=in_days(14))
    # Open for guests: the public page shows the registration form, the speaker's the guest list.
    meeting_services.guest_settings_set(meeting=upcoming, guests_open=True, capacity=1)
    guest = meeting_services.guest_register(
        meeting=upcoming, name="Gitta Gast", email="gitta@example.org", client="192.0.2.7", institution="Treff"
    )
    meeting_services.guest_register(meeting=upcoming, name="Wim Warte", email="wim@example.org", client="192.0.2.7")
    poll = DatePollFactory(network=network, title="Nächstes Plenum")
    DatePollOptionFactory(poll=poll)
    DatePollOptionFactory(poll=poll, start=in_days(22))
    series = meeting_services.series_create(
        network=network,
        actor=cast.speaker,
        title="Jour fixe",
        rule="FREQ=MONTHLY;BYDAY=2TU",
        first_date=timezone.localdate() + datetime.timedelta(days=1),
        start_time=datetime.time(18, 0),
        duration_minutes=120,
        address="Musterweg 1, 52062 Aachen",
    )
    list_file = b"Einrichtung;Ansprechpartner*in;E-Mail;PLZ\r\nKita Import;Ina Import;ina@example.org;52062\r\n"
    previewed = imports.import_upload(file_name="liste.csv", data=list_file, network=network, created_by=cast.staff)
    previewed = imports.import_mapping_set(run=previewed, mapping=previewed.mapping, default_type=institution_type)
    imported = imports.import_upload(file_name="liste.csv", data=list_file, network=network, created_by=cast.staff)
    imported = imports.import_mapping_set(run=imported, mapping=imported.mapping, default_type=institution_type)
    imports.import_start(run=imported, mode="alle")
    imports.import_execute(run_id=imported.pk)
    # The figures of the areas: indicators, values and outlines around the same Sozialraum.
    from tests.indicators.factories import figures_add

    figures_add(district=district, social_area=social_area, living_area=living_area)
    member = cast.member_person
    user = cast.member
    # An open invitation, so that the invitation link shows its form.
    contact_services.account_invitation_create(person=member, actor=None, network=network)
    contact_services.network_areas_propose(network=network, areas=[living_area], actor=None)
    uid = urlsafe_base64_encode(force_bytes(user.pk))
    reset_token = default_token_generator.make_token(user)
    month = timezone.localdate().strftime("%Y-%m")
    proposal = institution_change_propose(
        link=entry_link_read(entry_token_make(institution)), changes={"phone": "0241 12 34 56"}
    )
    pages = {
        # Public pages
        "start": ("anonymous", "/"),
        "search": ("anonymous", "/suche/?q=Burtscheid"),
        "street_lookup": ("anonymous", "/strassen/suche/?strasse=Musterweg"),
        "network_list": ("anonymous", "/netzwerke/"),
        "network_detail": ("anonymous", f"/netzwerke/{network.slug}/"),
        "working_group": ("anonymous", f"/netzwerke/{working_group.slug}/"),
        "network_contact_sent": ("anonymous", f"/netzwerke/{network.slug}/kontakt/gesendet/"),
        "institution_list": ("anonymous", "/einrichtungen/"),
        "institution_detail": ("anonymous", f"/einrichtungen/{institution.slug}/"),
        "institution_contact_sent": ("anonymous", f"/einrichtungen/{institution.slug}/kontakt/gesendet/"),
        "area_list": ("anonymous", "/gebiete/"),
        "area_detail": ("anonymous", f"/gebiete/{social_area.slug}/"),
        "figures_comparison": ("anonymous", "/gebiete/kennzahlen/?kennzahl=kinderarmut"),
        "figures_coverage": ("anonymous", "/gebiete/abdeckung/"),
        "figures_map": ("anonymous", "/gebiete/karte/"),
        "figures_import": ("staff", "/gebiete/kennzahlen/import/"),
        "calendar": ("anonymous", f"/termine/netzwerk/{network.slug}/kalender/?monat={month}"),
        "meeting_public": ("anonymous", f"/termine/{upcoming.uid}/"),
        "guest_registered": ("anonymous", f"/termine/{upcoming.uid}/angemeldet/?warteliste=1"),
        "invitation_print": ("anonymous", f"/termine/{upcoming.uid}/einladung/"),
        "imprint": ("anonymous", "/impressum/"),
        "privacy": ("anonymous", "/datenschutz/"),
        "accessibility": ("anonymous", "/barrierefreiheit/"),
        "accessibility_sent": ("anonymous", "/barrierefreiheit/gesendet/"),
        "easy_language": ("anonymous", "/leichte-sprache/"),
        "feed_help": ("anonymous", "/kalender/hilfe/"),
        "login": ("anonymous", "/konto/anmelden/"),
        "password_reset": ("anonymous", "/konto/passwort-vergessen/"),
        "password_reset_done": ("anonymous", "/konto/passwort-vergessen/gesendet/"),
        "not_found": ("anonymous", "/gibt-es-nicht/"),
        # Pages opened from a link in a mail
        "answer_by_token": (
            "anonymous",
            meeting_tokens.answer_path(meeting_id=upcoming.pk, person_id=member.pk, answer="zusage"),
        ),
        "poll_vote_by_token": ("anonymous", meeting_tokens.poll_vote_path(poll_id=poll.pk, person_id=member.pk)),
        "answer_link_invalid": ("anonymous", "/termine/antwort/kaputt/"),
        "preferences_by_token": ("anonymous", notification_tokens.preferences_path(person_id=member.pk)),
        "unsubscribe": (
            "anonymous",
            notification_tokens.unsubscribe_path(person_id=member.pk, kind="erinnerung"),
        ),
        "password_set": ("anonymous", f"/konto/passwort-neu/{uid}/{reset_token}/"),
        "invitation_accept": ("anonymous", f"/konto/einladung/{uid}/{reset_token}/"),
        "entry_check": ("anonymous", entry_link_path(institution)),
        "entry_check_person": ("anonymous", entry_link_path(member)),
        "entry_link_invalid": ("anonymous", "/eintrag/kaputt/"),
        "guest_cancel": ("anonymous", meeting_tokens.guest_cancel_path(registration_id=guest.pk)),
        "guest_cancel_invalid": ("anonymous", "/termine/abmelden/kaputt/"),
        "address_unsubscribe": ("anonymous", notification_tokens.address_unsubscribe_path(address="fz@example.org")),
        # Member pages
        "my_area": ("member", "/konto/mein-bereich/"),
        "dashboard": ("member", "/termine/uebersicht/"),
        "meeting_member": ("member", f"/termine/{past.uid}/"),
        "minutes_print": ("member", f"/termine/{past.uid}/protokoll/drucken/"),
        "poll_detail": ("member", f"/termine/umfragen/{poll.pk}/"),
        "my_calendar": ("member", "/kalender/mein-kalender/"),
        "preferences": ("member", "/benachrichtigungen/einstellungen/"),
        # Speaker pages
        "speaker_dashboard": ("speaker", "/termine/uebersicht/"),
        "member_list": ("speaker", f"/termine/netzwerk/{network.slug}/mitglieder/"),
        "meeting_create": ("speaker", f"/termine/netzwerk/{network.slug}/sitzung-planen/"),
        "series_create": ("speaker", f"/termine/netzwerk/{network.slug}/serie-planen/"),
        "poll_create": ("speaker", f"/termine/netzwerk/{network.slug}/terminumfrage/"),
        "meeting_speaker": ("speaker", f"/termine/{upcoming.uid}/"),
        "meeting_edit": ("speaker", f"/termine/{upcoming.uid}/bearbeiten/"),
        "guest_list": ("speaker", f"/termine/{upcoming.uid}/gaesteliste/"),
        "meeting_held_speaker": ("speaker", f"/termine/{past.uid}/"),
        "agenda_result": ("speaker", f"/termine/{past.uid}/tagesordnung/{past_item.pk}/ergebnis/"),
        "minutes_from_agenda": ("speaker", f"/termine/{past.uid}/protokoll/aus-tagesordnung/"),
        "series_edit": ("speaker", f"/termine/serie/{series.pk}/"),
        "poll_speaker": ("speaker", f"/termine/umfragen/{poll.pk}/"),
        # Sozialplanung pages
        "import_list": ("staff", "/import/"),
        "import_mapping": ("staff", f"/import/{previewed.pk}/spalten/"),
        "import_preview": ("staff", f"/import/{previewed.pk}/vorschau/"),
        "import_report": ("staff", f"/import/{imported.pk}/"),
        "stale_entries": ("staff", "/konto/eintraege/veraltet/"),
        "proposal_list": ("staff", "/konto/eintraege/vorschlaege/"),
        "proposal_detail": ("staff", f"/konto/eintraege/vorschlaege/{proposal.pk}/"),
        "institution_entry_edit": ("staff", f"/einrichtungen/{institution.slug}/eintrag/"),
        "network_manage": ("speaker", f"/netzwerke/{network.slug}/verwalten/"),
        "network_manage_profile": ("speaker", f"/netzwerke/{network.slug}/verwalten/angaben/"),
        "network_manage_areas": ("speaker", f"/netzwerke/{network.slug}/verwalten/gebiete/"),
        "network_manage_member_add": (
            "speaker",
            f"/netzwerke/{network.slug}/verwalten/mitglied-hinzufuegen/?einrichtung_suche=Frankenberg",
        ),
        "network_manage_member_institution": (
            "speaker",
            f"/netzwerke/{network.slug}/verwalten/mitglied-hinzufuegen/?institution={institution.pk}",
        ),
        "network_manage_institution_propose": (
            "speaker",
            f"/netzwerke/{network.slug}/verwalten/einrichtung-vorschlagen/",
        ),
        "network_manage_team": ("speaker", f"/netzwerke/{network.slug}/verwalten/team/"),
        "network_manage_invitation": ("speaker", f"/netzwerke/{network.slug}/verwalten/einladen/"),
        # Staff pages
        "proposals": ("staff", "/konto/vorschlaege/"),
        # Sozialplanung's pages
        "staff_overview": ("staff", "/sozialplanung/"),
        "staff_calendar": ("staff", "/sozialplanung/kalender/"),
        "staff_calendar_list": ("staff", "/sozialplanung/kalender/?ansicht=liste"),
        "staff_deliveries": ("staff", "/sozialplanung/zustellungen/"),
        "staff_report": ("staff", f"/sozialplanung/jahresbericht/{timezone.localdate().year}/"),
    }
    return Site(cast=cast, pages=pages)


def log_in_as(page, live_server, user) -> None:
    """The browser gets the session of ``user`` without typing a password."""
    page.context.clear_cookies()
    if user is None:
        return
    client = Client()
    client.force_login(user)
    cookie = client.cookies[settings.SESSION_COOKIE_NAME].value
    page.context.add_cookies([{"name": settings.SESSION_COOKIE_NAME, "value": cookie, "url": live_server.url}])
