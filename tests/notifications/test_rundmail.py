"""Rundmail: speakers write to their network's members; members propose; the sweep plans
the mails once their moment has come, exactly once, and the send decides each again."""

import datetime

import pytest
from django.core import mail as outbox
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from contacts.models import Affiliation, InstitutionCategory, InstitutionType, Membership
from notifications import compose
from notifications.models import Delivery, Kind, Preference, Rundmail, Subject
from notifications.services import deliveries_send, notifications_sweep
from notifications.services.rundmail import (
    rundmail_create,
    rundmail_propose,
    rundmail_reject,
    rundmail_schedule,
    rundmail_withdraw,
    rundmails_plan,
)
from tests.factories import ChannelFactory, InstitutionFactory, MembershipFactory, PersonFactory
from tests.meetings.web_cast import cast_create

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"


def with_address(person):
    ChannelFactory(person=person)
    return person


def pdf(name="einladung.pdf", data=PDF):
    return SimpleUploadedFile(name, data, content_type="application/pdf")


def draft(cast, **values):
    values = {"subject": "Sommerfest am Kurpark", "body": "{anrede},\n\nwir laden ein.", **values}
    return rundmail_create(network=cast.network, actor=cast.speaker, **values)


def send_all(now=None):
    ids = list(Delivery.objects.filter(kind=Kind.RUNDMAIL).order_by("pk").values_list("pk", flat=True))
    return deliveries_send(delivery_ids=ids, now=now)


def test_rundmail_sent_now_reaches_each_member_once_with_salutation_and_attachment():
    cast = cast_create()
    with_address(cast.speaker_person)
    member = with_address(cast.member_person)
    member.form_of_address, member.family_name = "Frau", "Weber"
    member.save()
    rundmail = draft(cast, files=[pdf()])

    rundmail_schedule(rundmail=rundmail, actor=cast.speaker)
    notifications_sweep()
    states = send_all()

    rundmail.refresh_from_db()
    assert rundmail.state == Rundmail.State.SENT
    assert rundmail.recipient_count == 2
    assert sorted(states.values()) == [Delivery.State.SENT, Delivery.State.SENT]
    to_member = next(message for message in outbox.outbox if "Weber" in message.to[0])
    assert to_member.subject == f"{cast.network.name}: Sommerfest am Kurpark"
    assert to_member.body.startswith("Sehr geehrte Frau Weber,\n\nwir laden ein.")
    assert [(name, content) for name, content, _mime in to_member.attachments] == [("einladung.pdf", PDF)]
    assert to_member.extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert len(to_member.to) == 1 and not to_member.cc and not to_member.bcc


def test_sweep_plans_a_rundmail_again_without_a_second_row():
    cast = cast_create()
    with_address(cast.member_person)
    rundmail = draft(cast)
    rundmail_schedule(rundmail=rundmail, actor=cast.speaker, send_at=timezone.now() + datetime.timedelta(hours=1))
    later = timezone.now() + datetime.timedelta(hours=2)

    rundmails_plan(now=later)
    Rundmail.objects.filter(pk=rundmail.pk).update(state=Rundmail.State.SCHEDULED)
    rundmails_plan(now=later)

    assert Delivery.objects.filter(kind=Kind.RUNDMAIL).count() == 2


def test_scheduled_rundmail_waits_for_its_moment():
    cast = cast_create()
    rundmail = draft(cast)
    moment = timezone.now() + datetime.timedelta(days=2)
    rundmail_schedule(rundmail=rundmail, actor=cast.speaker, send_at=moment)

    notifications_sweep()
    assert not Delivery.objects.filter(kind=Kind.RUNDMAIL).exists()

    notifications_sweep(now=moment + datetime.timedelta(seconds=30))
    rows = list(Delivery.objects.filter(kind=Kind.RUNDMAIL))
    assert {row.person_id for row in rows} == {cast.speaker_person.pk, cast.member_person.pk}
    assert {row.due_at for row in rows} == {moment}


def test_withdrawn_before_its_moment_nobody_gets_it():
    cast = cast_create()
    with_address(cast.member_person)
    rundmail = draft(cast)
    moment = timezone.now() + datetime.timedelta(hours=3)
    rundmail_schedule(rundmail=rundmail, actor=cast.speaker, send_at=moment)

    rundmail_withdraw(rundmail=rundmail, actor=cast.speaker)
    notifications_sweep(now=moment + datetime.timedelta(minutes=1))

    rundmail.refresh_from_db()
    assert rundmail.state == Rundmail.State.WITHDRAWN
    assert not Delivery.objects.filter(kind=Kind.RUNDMAIL).exists()
    assert outbox.outbox == []


def test_withdraw_after_it_went_out_is_refused():
    cast = cast_create()
    rundmail = draft(cast)
    rundmail_schedule(rundmail=rundmail, actor=cast.speaker)

    with pytest.raises(ValidationError, match="Nur eine geplante Rundmail"):
        rundmail_withdraw(rundmail=rundmail, actor=cast.speaker)


def test_rows_planned_then_rundmail_withdrawn_in_the_database_send_nothing():
    """The send decides again: a Rundmail no longer out (changed under the planned rows)
    sends nothing."""
    cast = cast_create()
    with_address(cast.member_person)
    rundmail = draft(cast)
    rundmail_schedule(rundmail=rundmail, actor=cast.speaker)
    Rundmail.objects.filter(pk=rundmail.pk).update(state=Rundmail.State.WITHDRAWN)

    states = send_all()

    assert set(states.values()) == {Delivery.State.SKIPPED}
    assert outbox.outbox == []


def test_opted_out_member_gets_nothing_and_the_others_do():
    cast = cast_create()
    with_address(cast.speaker_person)
    member = with_address(cast.member_person)
    Preference.objects.create(person=member, network_news=False)
    rundmail = draft(cast)

    rundmail_schedule(rundmail=rundmail, actor=cast.speaker)
    send_all()

    by_person = dict(Delivery.objects.filter(kind=Kind.RUNDMAIL).values_list("person_id", "state"))
    assert by_person == {cast.speaker_person.pk: Delivery.State.SENT, member.pk: Delivery.State.SKIPPED}
    assert [cast.speaker_person.family_name in message.to[0] for message in outbox.outbox] == [True]


def test_all_opted_out_refused_with_a_message_and_nothing_written():
    cast = cast_create()
    for person in (cast.speaker_person, cast.member_person):
        Preference.objects.create(person=person, network_news=False)
    rundmail = draft(cast)

    with pytest.raises(ValidationError, match="abbestellt"):
        rundmail_schedule(rundmail=rundmail, actor=cast.speaker)

    rundmail.refresh_from_db()
    assert rundmail.state == Rundmail.State.DRAFT
    assert not Delivery.objects.exists()


def test_audience_by_role_nobody_in_it_refused():
    cast = cast_create()
    rundmail = draft(cast, roles=[Membership.Role.GUEST])

    with pytest.raises(ValidationError, match="niemanden"):
        rundmail_schedule(rundmail=rundmail, actor=cast.speaker)


def test_audience_by_role_and_by_institution_type():
    cast = cast_create()
    category = InstitutionCategory.objects.create(name="Testbereich")
    kita = InstitutionType.objects.create(name="Testkita", slug="kita-test", category=category)
    school = InstitutionType.objects.create(name="Testschule", slug="schule-test", category=category)
    at_kita = PersonFactory()
    MembershipFactory(network=cast.network, person=at_kita, institution=InstitutionFactory(type=kita))
    MembershipFactory(network=cast.network, person=PersonFactory(), institution=InstitutionFactory(type=school))

    by_role = draft(cast, roles=[Membership.Role.SPEAKER])
    by_type = draft(cast, institution_type_ids=[kita.pk])
    rundmail_schedule(rundmail=by_role, actor=cast.speaker)
    rundmail_schedule(rundmail=by_type, actor=cast.speaker)

    def people(rundmail):
        rows = Delivery.objects.filter(subject_id=rundmail.pk, kind=Kind.RUNDMAIL)
        return set(rows.values_list("person_id", flat=True))

    assert people(by_role) == {cast.speaker_person.pk}
    assert people(by_type) == {at_kita.pk}


def test_unknown_placeholder_refused_naming_it_nothing_written():
    cast = cast_create()

    with pytest.raises(ValidationError) as error:
        draft(cast, body="{anrede}, liebe {vorname}, bis bald")

    assert "„{vorname}“" in str(error.value.message_dict["body"])
    assert not Rundmail.objects.exists()


def test_time_in_the_past_refused_nothing_changed():
    cast = cast_create()
    rundmail = draft(cast)

    with pytest.raises(ValidationError) as error:
        rundmail_schedule(rundmail=rundmail, actor=cast.speaker, send_at=timezone.now() - datetime.timedelta(hours=1))

    assert "Vergangenheit" in str(error.value.message_dict["send_at"])
    rundmail.refresh_from_db()
    assert (rundmail.state, rundmail.send_at) == (Rundmail.State.DRAFT, None)


def test_forbidden_file_renamed_pdf_refused_nothing_written(settings):
    cast = cast_create()
    html = SimpleUploadedFile("programm.pdf", b"<html><script>alert(1)</script></html>", content_type="application/pdf")
    exe = SimpleUploadedFile("flyer.pdf", b"MZ\x90\x00\x03" + b"\x00" * 200, content_type="application/pdf")

    for upload in (html, exe):
        with pytest.raises(ValidationError) as error:
            draft(cast, files=[upload])
        assert upload.name in str(error.value.message_dict["files"])

    assert not Rundmail.objects.exists()
    assert not settings.MEDIA_ROOT.exists() or not list(settings.MEDIA_ROOT.glob("**/*"))


def test_large_attachments_are_linked_not_attached():
    cast = cast_create()
    member = with_address(cast.member_person)
    big = b"%PDF-1.4\n" + b"0" * (6 * 1024 * 1024)
    rundmail = draft(cast, files=[pdf("programm.pdf", big)])

    rundmail_schedule(rundmail=rundmail, actor=cast.speaker, send_at=None)
    send_all()

    message = next(message for message in outbox.outbox if member.family_name in message.to[0])
    attachment = rundmail.attachments.get()
    assert message.attachments == []
    assert f"/netzwerke/{cast.network.slug}/rundmails/{rundmail.pk}/dateien/{attachment.pk}/" in message.body


def test_preview_shows_the_mail_as_the_named_member_gets_it():
    cast = cast_create()
    member = cast.member_person
    member.form_of_address = "Herr"
    member.save()
    rundmail = draft(cast, subject="Neues aus {netzwerk}", body="{anrede},\nhallo {name}!")

    preview = compose.rundmail_preview(rundmail=rundmail, person=member, now=timezone.now())

    assert preview["subject"] == f"{cast.network.name}: Neues aus {cast.network.name}"
    assert preview["body"].startswith(f"Sehr geehrter Herr {member.family_name},\nhallo {member.full_name}!")
    assert not Delivery.objects.exists()


def test_member_proposal_approved_from_the_outbox_goes_to_all():
    cast = cast_create()
    institution = InstitutionFactory(name="Familienzentrum Burtscheid")
    Affiliation.objects.create(person=cast.member_person, institution=institution)
    proposal = rundmail_propose(
        network=cast.network,
        actor=cast.member,
        subject="Flohmarkt",
        body="Alle sind eingeladen.",
        institution=institution,
    )
    assert proposal.state == Rundmail.State.PROPOSED

    rundmail_schedule(rundmail=proposal, actor=cast.speaker)

    proposal.refresh_from_db()
    assert proposal.state == Rundmail.State.SENT
    assert proposal.reviewed_by == cast.speaker_person
    assert Delivery.objects.filter(subject_type=Subject.RUNDMAIL, subject_id=proposal.pk).count() == 2


def test_member_proposal_rejected_with_a_note():
    cast = cast_create()
    proposal = rundmail_propose(network=cast.network, actor=cast.member, subject="Werbung", body="Kauft bei uns.")

    with pytest.raises(ValidationError):
        rundmail_reject(rundmail=proposal, actor=cast.speaker, note="  ")
    rundmail_reject(rundmail=proposal, actor=cast.speaker, note="Keine Werbung über die Rundmail.")

    proposal.refresh_from_db()
    assert (proposal.state, proposal.review_note) == (Rundmail.State.REJECTED, "Keine Werbung über die Rundmail.")
    assert not Delivery.objects.exists()


@pytest.mark.parametrize("who", ["member", "other_speaker"])
def test_only_the_speakers_of_the_network_write_and_send(who):
    cast = cast_create()
    actor = getattr(cast, who)

    with pytest.raises(ValidationError, match="Sprecher"):
        rundmail_create(network=cast.network, actor=actor, subject="Hallo", body="Text")
    rundmail = draft(cast)
    with pytest.raises(ValidationError, match="Sprecher"):
        rundmail_schedule(rundmail=rundmail, actor=actor)

    assert Rundmail.objects.get().state == Rundmail.State.DRAFT


def test_digest_reader_gets_the_rundmail_in_the_weekly_digest_not_on_its_own():
    cast = cast_create()
    member = with_address(cast.member_person)
    Preference.objects.create(person=member, digest=True, digest_instead=True)
    with_address(cast.speaker_person)
    rundmail = draft(cast)
    rundmail_schedule(rundmail=rundmail, actor=cast.speaker)
    send_all()
    single = [message for message in outbox.outbox if member.family_name in message.to[0]]
    assert single == []

    monday = timezone.now() + datetime.timedelta(days=(7 - timezone.localdate().weekday()))
    monday = monday.replace(hour=12)
    notifications_sweep(now=monday)
    digest_ids = list(Delivery.objects.filter(kind=Kind.DIGEST, person=member).values_list("pk", flat=True))
    deliveries_send(delivery_ids=digest_ids, now=monday)

    (digest,) = [message for message in outbox.outbox if member.family_name in message.to[0]]
    assert "Sommerfest am Kurpark" in digest.body
    assert f"/rundmails/{rundmail.pk}/" in digest.body


def test_english_recipient_gets_the_english_frame():
    cast = cast_create()
    member = with_address(cast.member_person)
    member.language = "en"
    member.save()
    rundmail = draft(cast)

    rundmail_schedule(rundmail=rundmail, actor=cast.speaker)
    send_all()

    (message,) = [message for message in outbox.outbox if member.family_name in message.to[0]]
    assert "earlier ones are in the archive" in message.body


def test_subject_with_a_line_break_refused():
    cast = cast_create()

    with pytest.raises(ValidationError) as error:
        draft(cast, subject="Hallo\r\nBcc: alle@example.org")

    assert "subject" in error.value.message_dict
