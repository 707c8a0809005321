"""Institutions keep their entry: the signed „Eintrag prüfen“ link (confirm, propose
changes), representatives who change the entry directly, the Sozialplanung's review of
proposals, the „Stand“ on the pages, and bad input that writes nothing."""

import datetime

import pytest
from django.core import signing
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from contacts.entry_links import EntryLinkInvalid, entry_link_path, entry_link_read, entry_token_make
from contacts.models import Affiliation, Institution, InstitutionChangeProposal, Membership, User
from contacts.selectors.freshness import stale_entries
from contacts.services.freshness import (
    entry_confirm,
    institution_change_propose,
    institution_proposal_accept,
    institution_proposal_reject,
    institution_update,
)
from tests.factories import (
    ChannelFactory,
    InstitutionFactory,
    LivingAreaFactory,
    MembershipFactory,
    NetworkFactory,
    PersonFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db

YEAR_AND_A_MONTH = datetime.timedelta(days=400)


@pytest.fixture
def institution():
    return InstitutionFactory(name="Familienzentrum Lummerland", phone="0241 1234", opening_hours="Mo 9–12 Uhr")


@pytest.fixture
def planner(client):
    user = User.objects.create_superuser(email="planung@example.org", password="ein-langes-Testpasswort")
    client.force_login(user)
    return user


def representative_of(institution) -> User:
    user = UserFactory()
    person = PersonFactory(user=user)
    Affiliation.objects.create(person=person, institution=institution, function="Leitung")
    return user


def stored(institution) -> Institution:
    return Institution.objects.get(pk=institution.pk)


def post_check(client, institution, **values):
    data = {
        "action": "propose",
        "street": institution.street,
        "postal_code": institution.postal_code,
        "city": institution.city,
        "phone": institution.phone,
        "website": institution.website,
        "opening_hours": institution.opening_hours,
        "accessibility": institution.accessibility,
        "accessibility_notes": institution.accessibility_notes,
        "comment": "",
        **values,
    }
    return client.post(entry_link_path(institution), data)


# --- services ---------------------------------------------------------------------------


def test_entry_confirm_sets_stand_and_uses_up_the_link(institution):
    token = entry_token_make(institution)
    moment = timezone.now()

    entry_confirm(entry=institution, now=moment)

    assert stored(institution).confirmed_at == moment
    with pytest.raises(EntryLinkInvalid) as problem:
        entry_link_read(token)
    assert problem.value.code == "used"


def test_institution_update_changes_fields_and_counts_as_confirmation(institution):
    updated = institution_update(institution=institution, phone="0241 432-0", opening_hours="Di 10–14 Uhr")

    assert (updated.phone, updated.opening_hours) == ("0241 432-0", "Di 10–14 Uhr")
    assert stored(institution).confirmed_at is not None


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("phone", "bitte anrufen", "keine Telefonnummer"),
        ("phone", "0241", "keine Telefonnummer"),
        ("postal_code", "5206", "keine Postleitzahl"),
        ("postal_code", "D-52062", "keine Postleitzahl"),
        ("website", "kein link", "gültige"),
        ("accessibility", "vielleicht", "gültige"),
        ("opening_hours", "x" * 1001, "Höchstens 1000 Zeichen"),
    ],
)
def test_institution_update_refuses_malformed_values_and_writes_nothing(institution, field, value, message):
    before = Institution.objects.filter(pk=institution.pk).values().get()

    with pytest.raises(ValidationError) as error:
        institution_update(institution=institution, **{field: value})

    assert message in " ".join(error.value.message_dict[field])
    assert Institution.objects.filter(pk=institution.pk).values().get() == before


@pytest.mark.parametrize("postal_code", ["52062", "52080", "10115", "80331"])
def test_institution_update_accepts_any_german_postcode(institution, postal_code):
    assert institution_update(institution=institution, postal_code=postal_code).postal_code == postal_code


def test_proposal_without_account_waits_and_leaves_the_entry(institution):
    link = entry_link_read(entry_token_make(institution))

    proposal = institution_change_propose(link=link, changes={"phone": "0241 99 88 77", "street": institution.street})

    assert proposal.state == InstitutionChangeProposal.State.PENDING
    assert (proposal.changes, proposal.before) == ({"phone": "0241 99 88 77"}, {"phone": "0241 1234"})
    assert stored(institution).phone == "0241 1234"


def test_proposal_by_a_representative_applies_at_once(institution):
    link = entry_link_read(entry_token_make(institution))

    result = institution_change_propose(link=link, changes={"phone": "0241 99 88 77"}, represents=True)

    assert isinstance(result, Institution)
    assert stored(institution).phone == "0241 99 88 77"
    assert not InstitutionChangeProposal.objects.exists()


def test_same_link_gives_one_proposal(institution):
    link = entry_link_read(entry_token_make(institution))
    institution_change_propose(link=link, changes={"phone": "0241 99 88 77"})

    with pytest.raises(ValidationError, match="schon ein Vorschlag"):
        institution_change_propose(link=link, changes={"phone": "0241 11 22 33"})

    assert InstitutionChangeProposal.objects.count() == 1


def test_proposal_that_changes_nothing_is_refused(institution):
    link = entry_link_read(entry_token_make(institution))

    with pytest.raises(ValidationError, match="nichts geändert"):
        institution_change_propose(link=link, changes={"phone": "0241 1234"})


def test_accepting_applies_through_the_service_and_records_the_decision(institution, planner):
    link = entry_link_read(entry_token_make(institution))
    proposal = institution_change_propose(link=link, changes={"opening_hours": "Mo–Fr 8–16 Uhr"})

    institution_proposal_accept(proposal=proposal, actor=planner, note="telefonisch bestätigt")

    proposal.refresh_from_db()
    assert stored(institution).opening_hours == "Mo–Fr 8–16 Uhr"
    assert (proposal.state, proposal.decided_by) == ("uebernommen", planner)
    assert proposal.decision_note == "telefonisch bestätigt"
    with pytest.raises(ValidationError, match="schon entschieden"):
        institution_proposal_reject(proposal=proposal, actor=planner)


def test_rejecting_keeps_the_entry(institution, planner):
    link = entry_link_read(entry_token_make(institution))
    proposal = institution_change_propose(link=link, changes={"phone": "0241 55 66 77"})

    institution_proposal_reject(proposal=proposal, actor=planner, note="Nummer gehört nicht der Einrichtung")

    assert stored(institution).phone == "0241 1234"
    assert InstitutionChangeProposal.objects.get().state == "abgelehnt"


# --- the link: tampered, expired, used ----------------------------------------------------


def test_tampered_link_is_refused(institution):
    token = entry_token_make(institution)
    forged = signing.dumps(["i", institution.pk + 1, 0], salt="netzwerk.other")

    for bad in (token[:-2] + "xx", forged, "kein-token"):
        with pytest.raises(EntryLinkInvalid) as problem:
            entry_link_read(bad)
        assert problem.value.code == "tampered"


def test_expired_link_is_refused(institution, monkeypatch, settings):
    settings.ENTRY_CHECK_LINK_DAYS = 60
    made = timezone.now() - datetime.timedelta(days=61)
    monkeypatch.setattr(signing.time, "time", made.timestamp)
    token = entry_token_make(institution)
    monkeypatch.undo()

    with pytest.raises(EntryLinkInvalid) as problem:
        entry_link_read(token)

    assert problem.value.code == "expired"
    assert "abgelaufen" in problem.value.message


# --- pages -----------------------------------------------------------------------------------


def test_link_page_get_shows_the_entry_and_changes_nothing(client, institution):
    response = client.get(entry_link_path(institution))

    assert response.status_code == 200
    assert "Familienzentrum Lummerland" in response.content.decode()
    assert "Alles korrekt" in response.content.decode()
    assert stored(institution).confirmed_at is None


def test_link_page_confirm_posts_the_stand(client, institution):
    response = client.post(entry_link_path(institution), {"action": "confirm"})

    assert response.status_code == 200
    assert "als aktuell bestätigt" in response.content.decode()
    assert stored(institution).confirmed_at is not None


def test_link_page_replayed_after_confirming_says_so_and_writes_nothing(client, institution):
    path = entry_link_path(institution)
    client.post(path, {"action": "confirm"})
    stand = stored(institution).confirmed_at

    response = client.post(path, {"action": "confirm"})

    assert response.status_code == 400
    assert "schon benutzt" in response.content.decode()
    assert stored(institution).confirmed_at == stand


def test_link_page_explains_a_tampered_link(client, institution):
    response = client.get(entry_link_path(institution)[:-5] + "abcd/")

    assert response.status_code == 400
    assert "verändert oder nicht vollständig kopiert" in response.content.decode()


def test_link_page_proposal_waits_for_review(client, institution):
    response = post_check(client, institution, phone="0241 77 88 99", comment="Neue Durchwahl")

    assert response.status_code == 200
    assert "bei der Sozialplanung eingegangen" in response.content.decode()
    assert InstitutionChangeProposal.objects.get().comment == "Neue Durchwahl"
    assert stored(institution).phone == "0241 1234"


def test_link_page_proposal_with_malformed_phone_and_postcode_writes_nothing(client, institution):
    response = post_check(client, institution, phone="ruf mich an", postal_code="520")

    text = response.content.decode()
    assert response.status_code == 400
    assert "keine Telefonnummer" in text and "keine Postleitzahl" in text
    assert not InstitutionChangeProposal.objects.exists()
    assert stored(institution).phone == "0241 1234"


def test_link_page_logged_in_representative_changes_directly(client, institution):
    client.force_login(representative_of(institution))

    response = post_check(client, institution, opening_hours="Mo–Fr 9–15 Uhr")

    assert "sofort sichtbar" in response.content.decode()
    assert stored(institution).opening_hours == "Mo–Fr 9–15 Uhr"
    assert not InstitutionChangeProposal.objects.exists()


def test_link_page_for_a_person_confirms(client):
    person = PersonFactory(given_name="Rita", family_name="Rüstig")
    ChannelFactory(person=person, value="rita@example.org")

    shown = client.get(entry_link_path(person))
    client.post(entry_link_path(person), {"action": "confirm"})

    assert "rita@example.org" in shown.content.decode()
    person.refresh_from_db()
    assert person.confirmed_at is not None


def test_representative_edits_the_entry_from_the_institution_page(client, institution):
    client.force_login(representative_of(institution))
    page = client.get(reverse("directory:institution_detail", args=[institution.slug]))
    edit = reverse("directory:institution_entry_edit", args=[institution.slug])

    response = client.post(
        edit,
        {
            "street": "Neue Straße 5",
            "postal_code": "52064",
            "city": "Aachen",
            "phone": "0241 1234",
            "website": "",
            "opening_hours": "",
            "accessibility": "barrierefrei",
            "accessibility_notes": "",
        },
    )

    assert edit in page.content.decode()
    assert response.status_code == 302
    assert (stored(institution).street, stored(institution).accessibility) == ("Neue Straße 5", "barrierefrei")


def test_someone_else_may_not_edit_the_entry(client, institution):
    client.force_login(UserFactory())

    response = client.post(reverse("directory:institution_entry_edit", args=[institution.slug]), {"phone": "0241 1"})

    assert response.status_code == 403
    assert stored(institution).phone == "0241 1234"


def test_member_representing_the_institution_in_a_network_may_edit(client, institution):
    user = UserFactory()
    MembershipFactory(person=PersonFactory(user=user), institution=institution)
    client.force_login(user)

    assert client.get(reverse("directory:institution_entry_edit", args=[institution.slug])).status_code == 200


def test_stand_is_shown_on_institution_and_network_pages(client, institution):
    network = NetworkFactory()
    Institution.objects.filter(pk=institution.pk).update(confirmed_at=timezone.now() - datetime.timedelta(days=3))
    stand = (timezone.localdate() - datetime.timedelta(days=3)).strftime("%d.%m.%Y")

    institution_page = client.get(reverse("directory:institution_detail", args=[institution.slug]))
    network_page = client.get(reverse("directory:network_detail", args=[network.slug]))

    assert f"Stand: {stand}" in institution_page.content.decode()
    assert f"Stand: {network.created_at.astimezone(timezone.get_current_timezone()):%d.%m.%Y}" in (
        network_page.content.decode()
    )


def test_review_queue_shows_the_diff_and_accepting_changes_the_entry(client, planner, institution):
    link = entry_link_read(entry_token_make(institution))
    proposal = institution_change_propose(link=link, changes={"phone": "0241 99 88 77"})

    queue = client.get(reverse("contacts:proposal_list"))
    response = client.post(
        reverse("contacts:proposal_detail", args=[proposal.pk]), {"action": "accept", "note": "passt"}
    )

    assert "0241 1234" in queue.content.decode() and "0241 99 88 77" in queue.content.decode()
    assert response.status_code == 302
    assert stored(institution).phone == "0241 99 88 77"


def test_review_queue_is_for_the_sozialplanung_only(client, institution):
    client.force_login(representative_of(institution))

    assert client.get(reverse("contacts:proposal_list")).status_code == 403
    assert client.get(reverse("contacts:stale_entries")).status_code == 403


# --- the staff list ---------------------------------------------------------------------------


def make_stale(entry, days: int = 400):
    type(entry).objects.filter(pk=entry.pk).update(confirmed_at=timezone.now() - datetime.timedelta(days=days))


def test_stale_entries_filter_by_kind_network_area_and_age():
    area = LivingAreaFactory()
    network = NetworkFactory()
    network.areas.add(area)
    old_institution = InstitutionFactory(name="Altenstube Alt", area=area)
    member = PersonFactory(family_name="Vergessen")
    MembershipFactory(network=network, institution=old_institution, person=member)
    fresh = InstitutionFactory(name="Kita Frisch")
    other = InstitutionFactory(name="OT Woanders")
    for entry in (old_institution, member, network):
        make_stale(entry)
    make_stale(other, days=800)
    Institution.objects.filter(pk=fresh.pk).update(confirmed_at=timezone.now())

    everything = [item.name for item in stale_entries(kind="institution")]
    in_network = {(item.kind, item.name) for item in stale_entries(network_id=network.pk)}
    in_area = {item.name for item in stale_entries(area_ids={area.pk})}
    very_old = [item.name for item in stale_entries(months=24)]

    assert everything == ["OT Woanders", "Altenstube Alt"]
    assert in_network == {
        ("network", network.name),
        ("institution", "Altenstube Alt"),
        ("person", member.full_name),
    }
    assert in_area == {network.name, "Altenstube Alt", member.full_name}
    assert very_old == ["OT Woanders"]


def test_stale_entries_page_lists_sorts_and_links(client, planner):
    first = InstitutionFactory(name="A-Einrichtung")
    second = InstitutionFactory(name="B-Einrichtung")
    make_stale(first, days=500)
    make_stale(second, days=400)
    url = reverse("contacts:stale_entries")

    by_stand = client.get(url, {"art": "institution"}).content.decode()
    by_name_desc = client.get(url, {"art": "institution", "ordnung": "-name"}).content.decode()
    bad = client.get(url, {"alter": "7"})

    assert by_stand.index("A-Einrichtung") < by_stand.index("B-Einrichtung")
    assert by_name_desc.index("B-Einrichtung") < by_name_desc.index("A-Einrichtung")
    assert "Eintrag prüfen lassen" in by_stand
    assert bad.status_code == 400


def test_stale_entries_page_counts_constant_queries(client, planner, django_assert_max_num_queries):
    for number in range(3):
        make_stale(InstitutionFactory(name=f"Einrichtung {number}"))
    url = reverse("contacts:stale_entries")
    client.get(url)
    with django_assert_max_num_queries(14) as few:
        client.get(url)
    for number in range(30):
        make_stale(InstitutionFactory(name=f"Weitere {number}"))
        make_stale(PersonFactory())

    with django_assert_max_num_queries(len(few.captured_queries)):
        client.get(url)


def test_speaker_dashboard_shows_stale_members_of_own_network(client):
    network = NetworkFactory(name="Stadtteilkonferenz Testhausen")
    speaker_user = UserFactory()
    speaker = PersonFactory(user=speaker_user)
    MembershipFactory(network=network, person=speaker, role=Membership.Role.SPEAKER)
    institution = InstitutionFactory(name="Seniorenzentrum Vergessen")
    MembershipFactory(network=network, institution=institution, person=PersonFactory())
    elsewhere = InstitutionFactory(name="Kita Anderswo")
    MembershipFactory(institution=elsewhere, person=PersonFactory())
    make_stale(institution)
    make_stale(elsewhere)
    client.force_login(speaker_user)

    text = client.get(reverse("meetings:dashboard")).content.decode()

    assert "Seniorenzentrum Vergessen" in text
    assert "Kita Anderswo" not in text


def test_speaker_dashboard_names_stale_members_only_as_far_as_the_speaker_may_see_them(client):
    from contacts.models import Consent, Visibility
    from tests.factories import ConsentFactory

    network = NetworkFactory()
    speaker = PersonFactory(user=UserFactory())
    MembershipFactory(network=network, person=speaker, role=Membership.Role.SPEAKER)
    shared = PersonFactory(given_name="Mona", family_name="Mitgliedsweit")
    ConsentFactory(person=shared, scope=Consent.Scope.NAME, audience=Visibility.NETWORK_MEMBERS)
    staff_only = PersonFactory(given_name="Sina", family_name="Sozialplanungsnah")
    ConsentFactory(person=staff_only, scope=Consent.Scope.NAME, audience=Visibility.STAFF)
    fresh = PersonFactory(given_name="Frieda", family_name="Frisch")
    closed = InstitutionFactory(name="Geschlossene Stube", is_active=False)
    for person in (shared, staff_only, fresh):
        MembershipFactory(network=network, person=person)
    MembershipFactory(network=network, institution=closed, person=None)
    for entry in (shared, staff_only, closed):
        make_stale(entry)
    client.force_login(speaker.user)

    text = client.get(reverse("meetings:dashboard")).content.decode()

    assert ("Mona Mitgliedsweit" in text, "ein Mitglied (Name nicht freigegeben)" in text) == (True, True)
    assert ("Sozialplanungsnah" in text, "Frieda" in text, "Geschlossene Stube" in text) == (False, False, False)


def test_network_page_shows_the_stand_of_a_speaker_whose_name_is_public(client):
    from contacts.models import Consent, Person
    from tests.factories import ConsentFactory

    network = NetworkFactory()
    public = PersonFactory(family_name="Öffentlich")
    ConsentFactory(person=public, scope=Consent.Scope.NAME)
    hidden = PersonFactory(family_name="Verborgen")
    for person in (public, hidden):
        MembershipFactory(network=network, person=person, role=Membership.Role.SPEAKER)
    confirmed_at = timezone.now() - datetime.timedelta(days=40)
    Person.objects.filter(pk=public.pk).update(confirmed_at=confirmed_at)
    # The day in Aachen: 40 days back may be summer time, and late at night another day.
    stand = timezone.localtime(confirmed_at).strftime("%d.%m.%Y")

    text = client.get(reverse("directory:network_detail", args=[network.slug])).content.decode()

    assert f"Stand: {stand}" in text
    assert text.count("Stand:") == 2  # the network's and the public speaker's
