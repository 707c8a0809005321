"""The history of the directory and the calendar: every change keeps a version with who,
when and before → after; staff read it in the Verwaltung and restore a field through the
service; speakers read their network's history, projected; erasure purges a person's
versions."""

import datetime

import pytest
from django.contrib.auth.models import Group
from django.urls import reverse
from django.utils import timezone

from contacts import services
from contacts.models import Consent, ContactChannel, Membership, Network, Person, Visibility
from contacts.selectors.history import entry_history
from contacts.services.history import history_field_restore, history_purge_person
from meetings import services as meeting_services
from meetings.models import Meeting
from tests.factories import (
    ChannelFactory,
    ConsentFactory,
    InstitutionFactory,
    MembershipFactory,
    NetworkFactory,
    PersonFactory,
    UserFactory,
)
from tests.meetings.factories import MeetingFactory, in_days
from tests.meetings.web_cast import cast_create, client_for

pytestmark = pytest.mark.django_db


def _staff():
    user = UserFactory(email="verlauf@example.org", is_staff=True)
    user.groups.add(Group.objects.get_or_create(name="Sozialplanung")[0])
    return user


def _admin_history_url(entry) -> str:
    return reverse(f"admin:{entry._meta.app_label}_{entry._meta.model_name}_history", args=[entry.pk])


def test_history_membership_end_records_who_when_and_before_after():
    network = NetworkFactory()
    membership = services.membership_start(
        network=network, institution=InstitutionFactory(name="Kita Sonnenschein"), start=datetime.date(2026, 1, 1)
    )

    services.membership_end(membership=membership, end=datetime.date(2026, 6, 30))

    versions = entry_history(network)
    assert [version.kind for version in versions[:2]] == ["~", "+"]
    changes = {change.name: (change.old, change.new) for change in versions[0].changes}
    assert changes == {"end": ("–", "30.06.2026")}
    assert versions[0].entry.startswith("Mitgliedschaft: Kita Sonnenschein")


def test_history_leaves_out_generated_search_columns():
    history_model = Network.history.model

    names = {field.name for field in history_model._meta.get_fields()}

    assert "search_name" not in names and "search_text" not in names
    assert "search_name" not in {field.name for field in Person.history.model._meta.get_fields()}


def test_history_web_edit_names_the_user_of_the_request(client):
    staff = _staff()
    network = NetworkFactory(name="Stadtteilkonferenz Forst")
    client.force_login(staff)
    url = reverse("admin:contacts_network_change", args=[network.pk])
    form = client.get(url).context["adminform"].form
    data = {
        name: value for name, value in form.initial.items() if value is not None and name not in {"areas", "topics"}
    }
    data.update(
        {
            "rhythm": "viermal im Jahr",
            "memberships-TOTAL_FORMS": "0",
            "memberships-INITIAL_FORMS": "0",
        }
    )

    response = client.post(url, data)

    assert response.status_code == 302, response.context["adminform"].errors if response.context else ""
    latest = Network.history.filter(id=network.pk).latest("history_date")
    assert latest.history_user == staff and latest.rhythm == "viermal im Jahr"


def test_history_series_create_records_every_occurrence_once():
    network = NetworkFactory()

    series = meeting_services.series_create(
        network=network,
        title="STK",
        rule="FREQ=MONTHLY;BYDAY=2TU",
        first_date=timezone.localdate() + datetime.timedelta(days=1),
        start_time=datetime.time(18, 30),
        duration_minutes=90,
    )

    occurrences = set(series.occurrences.values_list("pk", flat=True))
    recorded = list(Meeting.history.filter(series_id=series.pk).values_list("id", "history_type"))
    assert sorted(recorded) == sorted((pk, "+") for pk in occurrences)
    assert len(occurrences) >= 12


def test_history_series_create_names_who_and_when_on_every_occurrence():
    """The occurrences' first versions, written by the database in one statement, carry
    the same user, moment and values as a version saved one by one."""
    from contacts.history import history_made_by

    staff = _staff()
    moment = timezone.now() - datetime.timedelta(days=3)

    with history_made_by(user=staff, at=moment):
        series = meeting_services.series_create(
            network=NetworkFactory(),
            title="OAG Brand",
            rule="FREQ=WEEKLY;INTERVAL=2;BYDAY=MO",
            first_date=timezone.localdate() + datetime.timedelta(days=1),
            start_time=datetime.time(18, 30),
            duration_minutes=90,
            room="Saal",
        )

    versions = list(Meeting.history.filter(series_id=series.pk).order_by("start"))
    meetings = list(series.occurrences.order_by("start"))
    assert [(v.id, v.start, v.end, v.title, v.room, v.uid) for v in versions] == [
        (m.pk, m.start, m.end, "OAG Brand", "Saal", m.uid) for m in meetings
    ]
    assert {(v.history_type, v.history_user_id, v.history_date, v.history_change_reason) for v in versions} == {
        ("+", staff.pk, moment, "")
    }


def test_history_series_created_through_the_api_names_the_token_user(client):
    from tests.meetings.api_support import auth_headers, user_with_role

    network = NetworkFactory()
    speaker = user_with_role(network, Membership.Role.SPEAKER)
    first = timezone.localdate() + datetime.timedelta(days=1)

    response = client.post(
        "/api/v1/series/",
        {
            "network": network.slug,
            "title": "STK",
            "rule": "FREQ=MONTHLY;BYDAY=2TU",
            "first_date": first.isoformat(),
            "start_time": "18:30",
            "duration_minutes": 90,
        },
        content_type="application/json",
        headers=auth_headers(speaker),
    )

    assert response.status_code == 201, response.content
    versions = Meeting.history.filter(network_id=network.pk)
    assert versions.count() >= 12
    assert set(versions.values_list("history_type", "history_user_id")) == {("+", speaker.pk)}


def test_history_series_confirm_records_each_confirmed_meeting():
    network = NetworkFactory()
    series = meeting_services.series_create(
        network=network,
        title="STK",
        rule="FREQ=WEEKLY;BYDAY=MO",
        first_date=timezone.localdate() + datetime.timedelta(days=1),
        start_time=datetime.time(18, 30),
        duration_minutes=90,
        count=3,
    )

    meeting_services.series_confirm(series=series)

    changed = Meeting.history.filter(series_id=series.pk, history_type="~")
    assert sorted(changed.values_list("status", "sequence")) == [("bestaetigt", 1)] * 3


def test_history_meeting_move_records_the_counted_sequence():
    meeting = MeetingFactory(start=in_days(10), end=in_days(10, hour=20))

    meeting_services.meeting_update(meeting=meeting, start=in_days(11), end=in_days(11, hour=20))

    latest = Meeting.history.filter(id=meeting.pk).latest("history_date")
    assert latest.sequence == 1 and latest.start == in_days(11)


def test_history_new_primary_address_records_the_demoted_one():
    person = PersonFactory()
    old = services.channel_add(person=person, kind="email", value="alt@example.org", is_primary=True)

    services.channel_add(person=person, kind="email", value="neu@example.org", is_primary=True)

    latest = ContactChannel.history.filter(id=old.pk).latest("history_date")
    assert latest.is_primary is False


def test_history_restore_gives_the_field_back_through_the_service():
    staff = _staff()
    network = NetworkFactory(rhythm="alle zwei Monate")
    from contacts.services.entries import network_fields_update

    network_fields_update(network=network, rhythm="monatlich")
    before = Network.history.filter(id=network.pk, rhythm="alle zwei Monate").get()

    history_field_restore(model=Network, history_id=before.history_id, field="rhythm", actor=staff)

    network.refresh_from_db()
    assert network.rhythm == "alle zwei Monate"
    assert Network.history.filter(id=network.pk).count() == 3


def test_history_restore_refuses_a_value_invalid_today():
    network = NetworkFactory()
    first = services.membership_start(network=network, person=PersonFactory(), start=datetime.date(2025, 1, 1))
    services.membership_update(membership=first, role=Membership.Role.GUEST)
    # Meanwhile the same person holds the plain membership again.
    MembershipFactory(
        network=network, person=first.person, role=Membership.Role.MEMBER, start=datetime.date(2025, 1, 1)
    )
    before = Membership.history.filter(id=first.pk, role=Membership.Role.MEMBER).get()

    with pytest.raises(Exception) as error:
        history_field_restore(model=Membership, history_id=before.history_id, field="role", actor=None)

    assert "bereits" in str(error.value)
    first.refresh_from_db()
    assert first.role == Membership.Role.GUEST


def test_history_restore_refuses_consents():
    consent = ConsentFactory()

    with pytest.raises(Exception, match="nicht wiederherstellen"):
        history_field_restore(
            model=Consent, history_id=consent.history.first().history_id, field="audience", actor=None
        )


def test_admin_history_page_shows_versions_in_german_and_restores(client):
    staff = _staff()
    person = PersonFactory(given_name="Mara", family_name="Okonkwo")
    from contacts.services.entries import person_fields_update

    person_fields_update(person=person, family_name="Okonkwo-Berg")
    ChannelFactory(person=person, kind="phone", value="0241 12345")
    client.force_login(staff)

    html = client.get(_admin_history_url(person)).content.decode()

    assert "Okonkwo-Berg" in html and "<del>Okonkwo</del>" in html
    assert "Telefon: 0241 12345" in html
    assert "„Nachname“ wiederherstellen" in html
    previous = Person.history.filter(id=person.pk, family_name="Okonkwo").get()

    response = client.post(
        _admin_history_url(person),
        {"model": "contacts.person", "version": previous.history_id, "field": "family_name"},
    )

    assert response.status_code == 302
    person.refresh_from_db()
    assert person.family_name == "Okonkwo"
    assert Person.history.filter(id=person.pk).latest("history_date").history_user == staff


def test_admin_history_restore_of_a_version_of_another_entry_is_refused(client):
    staff = _staff()
    person, other = PersonFactory(family_name="Eins"), PersonFactory(family_name="Zwei")
    other_version = other.history.first()
    client.force_login(staff)

    response = client.post(
        _admin_history_url(person),
        {"model": "contacts.person", "version": other_version.history_id, "field": "family_name"},
        follow=True,
    )

    assert "gehört nicht zu diesem Eintrag" in response.content.decode()


def test_admin_meeting_history_lists_agenda_changes(client):
    staff = _staff()
    meeting = MeetingFactory(start=in_days(5), end=in_days(5, hour=20))
    meeting_services.agenda_item_add(meeting=meeting, title="Begrüßung")
    client.force_login(staff)

    html = client.get(_admin_history_url(meeting)).content.decode()

    assert "TOP 1: Begrüßung" in html or "Begrüßung" in html


def test_history_purge_person_removes_every_version_with_their_data():
    network = NetworkFactory()
    user = UserFactory(email="geloescht@example.org")
    person = PersonFactory(given_name="Ilse", family_name="Vergessen", user=user)
    channel = ChannelFactory(person=person, kind="email", value="ilse@example.org")
    ConsentFactory(person=person, scope=Consent.Scope.NAME, audience=Visibility.PUBLIC)
    membership = services.membership_start(network=network, person=person, institution=InstitutionFactory())
    Network.objects.filter(pk=network.pk)  # the network's own versions stay
    other = PersonFactory(family_name="Bleibt")
    other.history.update(history_user_id=user.pk)

    history_purge_person(person=person)

    assert not Person.history.filter(id=person.pk).exists()
    assert not ContactChannel.history.filter(id=channel.pk).exists()
    assert not Consent.history.filter(person_id=person.pk).exists()
    assert list(Membership.history.filter(id=membership.pk).values_list("person_id", flat=True)) == [None]
    assert not Person.history.filter(history_user_id=user.pk).exists()
    assert Person.history.filter(id=other.pk).exists()
    for model in (Person, ContactChannel, Consent, Membership):
        for record in model.history.all():
            values = [str(getattr(record, field.attname)) for field in model.history.model.tracked_fields]
            assert not {"Ilse", "Vergessen", "ilse@example.org"} & set(values)


# --- the speakers' page and who may open it ---------------------------------------------

ROLES = ["anonymous", "member", "speaker", "other_speaker", "staff"]


@pytest.mark.parametrize("role", ROLES)
def test_network_history_page_permission_matrix(client, role):
    cast = cast_create()
    url = reverse("meetings:network_history", args=[cast.network.slug])

    response = client_for(client, cast.user(role)).get(url)

    expected = {"anonymous": 302, "member": 403, "speaker": 200, "other_speaker": 403, "staff": 200}[role]
    assert response.status_code == expected
    if role == "anonymous":
        assert "next=" in response.url


@pytest.mark.parametrize("role", ROLES)
def test_admin_history_permission_matrix(client, role):
    cast = cast_create()
    cast.staff.is_staff = True
    cast.staff.save()

    response = client_for(client, cast.user(role)).get(_admin_history_url(cast.network))

    assert (response.status_code == 200) == (role == "staff")


def test_network_history_shows_members_and_meetings_with_names_projected(client):
    cast = cast_create()
    hidden = PersonFactory(given_name="Heimlich", family_name="Unsichtbar")
    public = PersonFactory(given_name="Offen", family_name="Sichtbar")
    ConsentFactory(person=public, scope=Consent.Scope.NAME, audience=Visibility.PUBLIC)
    services.membership_start(network=cast.network, person=hidden)
    services.membership_start(network=cast.network, person=public)
    from contacts.services.entries import network_fields_update

    network_fields_update(network=cast.network, rhythm="monatlich", sozialplanung_contact=hidden)
    MeetingFactory(network=cast.network, title="Frühjahrssitzung", start=in_days(3), end=in_days(3, hour=20))

    html = client_for(client, cast.speaker).get(reverse("meetings:network_history", args=[cast.network.slug]))
    html = html.content.decode()

    assert "Offen Sichtbar" in html and "Frühjahrssitzung" in html and "monatlich" in html
    assert "Heimlich" not in html and "Unsichtbar" not in html
    assert "Name nicht veröffentlicht" in html
    assert "wiederherstellen" not in html


def test_network_history_page_runs_a_constant_number_of_queries(client, django_assert_max_num_queries):
    cast = cast_create()
    client_for(client, cast.speaker)
    url = reverse("meetings:network_history", args=[cast.network.slug])
    client.get(url)
    with django_assert_max_num_queries(40) as few:
        client.get(url)
    for number in range(15):
        services.membership_start(network=cast.network, person=PersonFactory(family_name=f"Neu{number}"))
        MeetingFactory(network=cast.network, start=in_days(3 + number), end=in_days(3 + number, hour=20))

    with django_assert_max_num_queries(len(few.captured_queries)):
        client.get(url)


def test_history_api_call_names_the_token_user(client):
    """The API authenticates inside the view; the version still names that user."""
    from tests.meetings.api_support import auth_headers, user_with_role

    network = NetworkFactory()
    speaker = user_with_role(network, Membership.Role.SPEAKER)
    meeting = MeetingFactory(network=network, start=in_days(9), end=in_days(9, hour=20))

    response = client.post(f"/api/v1/meetings/{meeting.uid}/cancel/", {}, headers=auth_headers(speaker))

    assert response.status_code == 200
    latest = Meeting.history.filter(id=meeting.pk).latest("history_date")
    assert latest.status == "abgesagt" and latest.history_user == speaker


def test_history_series_extend_horizon_records_the_new_occurrences_once():
    network = NetworkFactory()
    today = timezone.localdate()
    series = meeting_services.series_create(
        network=network,
        title="STK",
        rule="FREQ=MONTHLY;BYDAY=2TU",
        first_date=today + datetime.timedelta(days=1),
        start_time=datetime.time(18, 30),
        duration_minutes=90,
        today=today,
    )

    created = meeting_services.series_extend_horizon(series=series, today=today + datetime.timedelta(days=62))
    meeting_services.series_extend_horizon(series=series, today=today + datetime.timedelta(days=62))

    assert created >= 1
    ids = list(series.occurrences.values_list("pk", flat=True))
    recorded = list(Meeting.history.filter(series_id=series.pk, history_type="+").values_list("id", flat=True))
    assert sorted(recorded) == sorted(ids)


def test_history_agenda_renumbering_records_the_moved_items():
    from meetings.models import AgendaItem

    meeting = MeetingFactory(start=in_days(5), end=in_days(5, hour=20))
    first = meeting_services.agenda_item_add(meeting=meeting, title="Begrüßung")
    meeting_services.agenda_item_add(meeting=meeting, title="Bericht")

    meeting_services.agenda_item_remove(item=first)

    moved = AgendaItem.history.filter(meeting_id=meeting.pk, title="Bericht").order_by("history_date", "history_id")
    assert [record.position for record in moved] == [2, 1]
