"""Speakers keep their network through the services: profile, member list, a new speaker
team with terms, invitations to accounts (mailed once through the delivery log), and the
proposals Sozialplanung decides on. Refusals carry a German message and write nothing."""

import datetime
import re
from email.utils import parseaddr
from urllib.parse import urlsplit

import pytest
from django.contrib.auth.tokens import default_token_generator
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from contacts import services
from contacts.models import AccountInvitation, Membership, NetworkProposal, Topic
from contacts.selectors import network_page
from contacts.visibility import PUBLIC
from notifications.models import Delivery, Kind
from tests.contacts.mail import due_mail_send
from tests.factories import (
    ChannelFactory,
    InstitutionFactory,
    LivingAreaFactory,
    MembershipFactory,
    PersonFactory,
    UserFactory,
)
from tests.meetings.web_cast import cast_create

pytestmark = pytest.mark.django_db


def day(offset: int) -> datetime.date:
    return timezone.localdate() + datetime.timedelta(days=offset)


def memberships() -> list[tuple]:
    return list(Membership.objects.order_by("pk").values_list("pk", "network_id", "person_id", "role", "start", "end"))


@pytest.fixture
def cast():
    return cast_create()


def member_of(network, **names):
    person = PersonFactory(**names)
    MembershipFactory(network=network, person=person, start=day(-400))
    return person


# --- profile -------------------------------------------------------------------------------


def test_profile_update_changes_the_entry_and_confirms_it(cast):
    topic = Topic.objects.create(name="Wohnen", slug="wohnen")

    network = services.network_profile_update(
        network=cast.network,
        actor=cast.speaker,
        description="Wir treffen uns im Kurpark.",
        rhythm="alle zwei Monate",
        website="https://stk.example.org/",
        topics=[topic],
    )

    network.refresh_from_db()
    assert (network.description, network.rhythm, network.website) == (
        "Wir treffen uns im Kurpark.",
        "alle zwei Monate",
        "https://stk.example.org/",
    )
    assert [t.slug for t in network.topics.all()] == ["wohnen"]
    assert network.confirmed_at is not None


def test_profile_update_by_the_speaker_of_another_network_is_refused(cast):
    with pytest.raises(PermissionDenied) as error:
        services.network_profile_update(network=cast.network, actor=cast.other_speaker, rhythm="nie")

    cast.network.refresh_from_db()
    assert cast.network.rhythm == ""
    assert "Sprecher*innenteam" in str(error.value)


def test_profile_update_of_the_areas_is_not_a_profile_field(cast):
    with pytest.raises(TypeError):
        services.network_profile_update(network=cast.network, actor=cast.speaker, areas=[])


# --- areas and new institutions: proposals ---------------------------------------------------


def test_areas_are_proposed_and_change_only_when_sozialplanung_approves(cast):
    area = LivingAreaFactory()

    proposal = services.network_areas_propose(network=cast.network, areas=[area], actor=cast.speaker)

    assert list(cast.network.areas.all()) == []
    services.proposal_approve(proposal=proposal, actor=cast.staff, note="passt")
    proposal.refresh_from_db()
    assert list(cast.network.areas.all()) == [area]
    assert (proposal.state, proposal.decided_by, proposal.decision_note) == ("angenommen", cast.staff, "passt")


def test_rejected_area_proposal_leaves_the_areas(cast):
    proposal = services.network_areas_propose(network=cast.network, areas=[LivingAreaFactory()], actor=cast.speaker)

    services.proposal_reject(proposal=proposal, actor=cast.staff, note="gehört zur Nachbar-STK")

    assert (list(cast.network.areas.all()), NetworkProposal.objects.get().state) == ([], "abgelehnt")


def test_a_speaker_cannot_decide_on_a_proposal(cast):
    proposal = services.network_areas_propose(network=cast.network, areas=[LivingAreaFactory()], actor=cast.speaker)

    with pytest.raises(PermissionDenied):
        services.proposal_approve(proposal=proposal, actor=cast.speaker)

    assert (NetworkProposal.objects.get().state, list(cast.network.areas.all())) == ("offen", [])


def test_a_proposal_is_decided_once(cast):
    proposal = services.network_areas_propose(network=cast.network, areas=[LivingAreaFactory()], actor=cast.speaker)
    services.proposal_reject(proposal=proposal, actor=cast.staff)

    with pytest.raises(ValidationError) as error:
        services.proposal_approve(proposal=proposal, actor=cast.staff)

    assert error.value.messages == ["Über diesen Vorschlag ist bereits entschieden (abgelehnt)."]


def test_approved_institution_joins_the_directory_and_the_network(cast):
    representative = PersonFactory()
    proposal = services.institution_propose(
        network=cast.network,
        actor=cast.speaker,
        name="Nachbarschaftstreff Kurgarten",
        institution_type=InstitutionFactory().type,
        representative=representative,
        street="Kurbrunnenstraße 5",
        postal_code="52066",
    )

    services.proposal_approve(proposal=proposal, actor=cast.staff)

    proposal.refresh_from_db()
    membership = Membership.objects.get(network=cast.network, institution=proposal.institution)
    assert (proposal.institution.name, membership.person, membership.role) == (
        "Nachbarschaftstreff Kurgarten",
        representative,
        "mitglied",
    )


def test_proposing_an_institution_the_directory_has_points_to_it(cast):
    InstitutionFactory(name="Kita Kurpark")

    with pytest.raises(ValidationError) as error:
        services.institution_propose(
            network=cast.network, actor=cast.speaker, name="kita  kurpark", institution_type=InstitutionFactory().type
        )

    assert error.value.message_dict == {"name": ["„kita kurpark“ steht schon im Verzeichnis: bitte dort auswählen."]}
    assert NetworkProposal.objects.count() == 0


def test_proposal_with_a_malformed_postcode_is_refused(cast):
    with pytest.raises(ValidationError) as error:
        services.institution_propose(
            network=cast.network,
            actor=cast.speaker,
            name="Neu",
            institution_type=InstitutionFactory().type,
            postal_code="520",
        )

    assert error.value.message_dict == {"postal_code": ["Eine Postleitzahl hat fünf Ziffern."]}


# --- the member list -----------------------------------------------------------------------


def test_member_institution_is_added_with_its_representative(cast):
    institution = InstitutionFactory()
    person = PersonFactory()

    membership = services.network_member_add(
        network=cast.network, actor=cast.speaker, institution=institution, person=person
    )

    assert (membership.institution, membership.person, membership.role, membership.start) == (
        institution,
        person,
        "mitglied",
        timezone.localdate(),
    )


def test_adding_a_member_twice_is_refused(cast):
    institution = InstitutionFactory(name="Kita Kurpark")
    services.network_member_add(network=cast.network, actor=cast.speaker, institution=institution)
    before = memberships()

    with pytest.raises(ValidationError) as error:
        services.network_member_add(network=cast.network, actor=cast.speaker, institution=institution)

    assert error.value.messages == ["Kita Kurpark ist bereits Mitglied dieses Netzwerks."]
    assert memberships() == before


def test_a_leading_role_is_not_given_through_the_member_list(cast):
    before = memberships()

    with pytest.raises(ValidationError) as error:
        services.network_member_add(
            network=cast.network, actor=cast.speaker, person=PersonFactory(), role=Membership.Role.SPEAKER
        )

    assert "Sprecher*innenteam wählen" in error.value.messages[0]
    assert memberships() == before


def test_a_member_cannot_give_themselves_a_speaker_role(cast):
    own = Membership.objects.get(network=cast.network, person=cast.member_person)
    before = memberships()

    with pytest.raises(PermissionDenied):
        services.speaker_team_elect(
            network=cast.network,
            actor=cast.member,
            team=[(cast.member_person, Membership.Role.SPEAKER)],
            start=day(0),
        )
    with pytest.raises(PermissionDenied):
        services.network_membership_role_change(membership=own, actor=cast.member, role=Membership.Role.GUEST)

    assert memberships() == before


def test_role_change_ends_the_old_row_the_day_before(cast):
    membership = Membership.objects.get(network=cast.network, person=cast.member_person)
    membership.start = day(-100)
    membership.save()

    new = services.network_membership_role_change(
        membership=membership, actor=cast.speaker, role=Membership.Role.GUEST, day=day(0)
    )

    membership.refresh_from_db()
    assert (membership.role, membership.end) == ("mitglied", day(-1))
    assert (new.role, new.start, new.end) == ("gast", day(0), None)


def test_membership_ends_with_a_date_and_stays_as_history(cast):
    membership = Membership.objects.get(network=cast.network, person=cast.member_person)

    services.network_membership_end(membership=membership, actor=cast.speaker, end=day(10))

    membership.refresh_from_db()
    assert membership.end == day(10)
    assert Membership.objects.filter(pk=membership.pk).exists()


def test_membership_end_before_its_start_is_refused(cast):
    membership = Membership.objects.get(network=cast.network, person=cast.member_person)

    with pytest.raises(ValidationError) as error:
        services.network_membership_end(
            membership=membership, actor=cast.speaker, end=membership.start - datetime.timedelta(days=1)
        )

    membership.refresh_from_db()
    assert (error.value.message_dict, membership.end) == ({"end": ["Das Ende liegt vor dem Beginn."]}, None)


# --- a new speaker team ---------------------------------------------------------------------


def test_new_team_ends_the_old_terms_the_day_before_and_the_page_shows_it_from_its_start(cast):
    new_speaker = member_of(cast.network, given_name="Nora", family_name="Neu")
    deputy = member_of(cast.network, given_name="Dana", family_name="Danach")
    old = Membership.objects.get(network=cast.network, person=cast.speaker_person, role=Membership.Role.SPEAKER)
    start = day(14)

    services.speaker_team_elect(
        network=cast.network,
        actor=cast.speaker,
        team=[(new_speaker, Membership.Role.SPEAKER), (deputy, Membership.Role.DEPUTY_SPEAKER)],
        start=start,
        end=start.replace(year=start.year + 2) - datetime.timedelta(days=1),
    )

    old.refresh_from_db()
    assert old.end == start - datetime.timedelta(days=1)

    def leaders(on):
        page = network_page(slug=cast.network.slug, audience=PUBLIC, day=on)
        return [(membership.person_id, membership.role) for membership, _view in page.leaders]

    assert leaders(start - datetime.timedelta(days=1)) == [(cast.speaker_person.pk, "sprecherin")]
    assert leaders(start) == [(new_speaker.pk, "sprecherin"), (deputy.pk, "stellv_sprecherin")]


def test_team_election_with_overlapping_terms_is_refused(cast):
    first = member_of(cast.network)
    services.speaker_team_elect(
        network=cast.network, actor=cast.speaker, team=[(first, Membership.Role.SPEAKER)], start=day(30)
    )
    second = member_of(cast.network)
    before = memberships()

    with pytest.raises(ValidationError) as error:
        services.speaker_team_elect(
            network=cast.network, actor=cast.speaker, team=[(second, "sprecherin")], start=day(10)
        )

    assert error.value.message_dict == {
        "start": [
            f"Für den {day(30):%d.%m.%Y} ist schon ein Team eingetragen; die Amtszeiten würden sich überschneiden."
        ]
    }
    assert memberships() == before


@pytest.mark.parametrize(
    ("team", "start", "end", "message"),
    [
        ("ende", 5, 1, {"end": ["Das Ende der Amtszeit liegt vor ihrem Beginn."]}),
        (
            "vergangen",
            -1,
            None,
            {"start": ["Eine neue Amtszeit beginnt heute oder später, nicht in der Vergangenheit."]},
        ),
        ("doppelt", 0, None, ["Eine Person steht zweimal im neuen Team."]),
        ("ohne_sprecherin", 0, None, ["Das neue Team braucht mindestens eine Sprecherin oder einen Sprecher."]),
        ("kein_mitglied", 0, None, ["Nicht Mitglied des Netzwerks am Beginn der Amtszeit: Fremd Person."]),
    ],
)
def test_team_election_with_bad_input_writes_nothing(cast, team, start, end, message):
    person = member_of(cast.network, given_name="Mia", family_name="Mitglied")
    stranger = PersonFactory(given_name="Fremd", family_name="Person")
    rows = {
        "ende": [(person, "sprecherin")],
        "vergangen": [(person, "sprecherin")],
        "doppelt": [(person, "sprecherin"), (person, "stellv_sprecherin")],
        "ohne_sprecherin": [(person, "stellv_sprecherin")],
        "kein_mitglied": [(stranger, "sprecherin")],
    }[team]
    before = memberships()

    with pytest.raises(ValidationError) as error:
        services.speaker_team_elect(
            network=cast.network,
            actor=cast.speaker,
            team=rows,
            start=day(start),
            end=day(end) if end is not None else None,
        )

    found = error.value.message_dict if hasattr(error.value, "error_dict") else error.value.messages
    assert found == message
    assert memberships() == before


# --- invitations to an account -------------------------------------------------------------


def test_invitation_is_mailed_once_through_the_delivery_log_and_its_link_sets_the_password(cast, client, mailoutbox):
    person = member_of(cast.network, given_name="Ina", family_name="Neu")
    ChannelFactory(person=person, value="ina@example.org")

    invitation = services.account_invitation_create(person=person, actor=cast.speaker, network=cast.network)
    due_mail_send()
    due_mail_send()

    assert [parseaddr(message.to[0])[1] for message in mailoutbox] == ["ina@example.org"]
    assert Delivery.objects.filter(kind=Kind.ACCOUNT_INVITATION, state=Delivery.State.SENT).count() == 1
    assert "Stadtteilkonferenz Burtscheid" in mailoutbox[0].body
    link = re.search(r"http://\S+/konto/einladung/\S+/", mailoutbox[0].body).group(0)
    form_page = client.get(urlsplit(link).path, follow=True)
    assert "Willkommen bei Netzwerk Aachen" in form_page.content.decode()
    client.post(
        form_page.redirect_chain[-1][0],
        {"new_password1": "Gruenkohl-und-Printen-2026", "new_password2": "Gruenkohl-und-Printen-2026"},
    )
    invitation.refresh_from_db()
    assert invitation.accepted_at is not None
    assert client.login(username="ina@example.org", password="Gruenkohl-und-Printen-2026")


def test_resent_invitation_is_mailed_again_once(cast, mailoutbox):
    person = member_of(cast.network)
    ChannelFactory(person=person, value="wieder@example.org")
    invitation = services.account_invitation_create(person=person, actor=cast.speaker, network=cast.network)
    due_mail_send()

    services.account_invitation_resend(invitation=invitation, actor=cast.speaker)
    due_mail_send()
    due_mail_send()

    assert len(mailoutbox) == 2
    assert sorted(Delivery.objects.filter(kind=Kind.ACCOUNT_INVITATION).values_list("version", flat=True)) == [1, 2]


def test_withdrawn_invitation_sends_nothing_and_its_link_no_longer_works(cast, client, mailoutbox):
    person = member_of(cast.network)
    ChannelFactory(person=person, value="zurueck@example.org")
    invitation = services.account_invitation_create(person=person, actor=cast.speaker, network=cast.network)
    uid = urlsafe_base64_encode(force_bytes(invitation.user.pk))
    token = default_token_generator.make_token(invitation.user)

    services.account_invitation_withdraw(invitation=invitation, actor=cast.speaker)
    due_mail_send()
    response = client.get(f"/konto/einladung/{uid}/{token}/", follow=True)

    assert mailoutbox == []
    assert "Dieser Link ist abgelaufen" in response.content.decode()


def test_a_speaker_invites_only_members_of_their_own_network(cast):
    outsider = PersonFactory()
    ChannelFactory(person=outsider, value="aussen@example.org")

    with pytest.raises(PermissionDenied):
        services.account_invitation_create(person=outsider, actor=cast.speaker, network=cast.network)
    with pytest.raises(PermissionDenied):
        services.account_invitation_create(person=cast.member_person, actor=cast.other_speaker, network=cast.network)

    assert AccountInvitation.objects.count() == 0


def test_an_invitation_to_an_address_another_account_uses_is_refused(cast):
    person = member_of(cast.network, given_name="Zweite", family_name="Adresse")

    with pytest.raises(ValidationError) as error:
        services.account_invitation_create(
            person=person, actor=cast.speaker, network=cast.network, email="MITGLIED@example.org"
        )

    assert error.value.messages == ["Für mitglied@example.org gibt es bereits einen Zugang."]
    assert AccountInvitation.objects.count() == 0


def test_an_expired_invitation_sends_nothing(cast, mailoutbox):
    person = member_of(cast.network)
    ChannelFactory(person=person, value="spaet@example.org")
    invitation = services.account_invitation_create(person=person, actor=cast.speaker, network=cast.network)
    AccountInvitation.objects.filter(pk=invitation.pk).update(expires_at=timezone.now() - datetime.timedelta(minutes=1))

    due_mail_send()

    assert (mailoutbox, invitation.user.has_usable_password()) == ([], False)


def test_the_verwaltung_counts_decided_proposals_in_the_right_grammatical_number(cast, client):
    proposals = [
        services.network_areas_propose(network=cast.network, areas=[LivingAreaFactory()], actor=cast.speaker)
        for _ in range(3)
    ]
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    changelist = reverse("admin:contacts_networkproposal_changelist")

    one = client.post(changelist, {"action": "approve", "_selected_action": [proposals[0].pk]}, follow=True)
    two = client.post(changelist, {"action": "reject", "_selected_action": [p.pk for p in proposals[1:]]}, follow=True)

    assert "1 Vorschlag angenommen." in one.content.decode()
    assert "2 Vorschläge abgelehnt." in two.content.decode()
