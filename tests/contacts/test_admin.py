"""The Verwaltung (Django admin) as the Sozialplanung uses it: every page loads, lists cost
the same number of queries for one row and for many, search and filters find the right rows,
invitations go out through the service, and consents are only ever added or withdrawn."""

import datetime
from email.utils import parseaddr

import pytest
from django.contrib import admin
from django.contrib.auth.models import Permission
from django.contrib.messages import get_messages
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from contacts import models, selectors
from notifications.models import PeriodicRun
from tests.contacts.mail import due_mail_send
from tests.factories import (
    AreaFactory,
    ChannelFactory,
    ConsentFactory,
    InstitutionFactory,
    MembershipFactory,
    NetworkFactory,
    PersonFactory,
    SocialAreaFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db

CONTACTS_MODELS = [
    models.Area,
    models.Topic,
    models.Network,
    models.InstitutionCategory,
    models.InstitutionType,
    models.Umbrella,
    models.Institution,
    models.Person,
    models.Affiliation,
    models.ContactChannel,
    models.Consent,
    models.Membership,
    models.User,
]
ALL_MODELS = [*CONTACTS_MODELS, PeriodicRun]


def admin_url(model, view: str, *args) -> str:
    return reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_{view}", args=args)


def message_texts(response) -> list[str]:
    return [str(message) for message in get_messages(response.wsgi_request)]


@pytest.fixture
def planner(client):
    """A Sozialplanung staff member, logged in to the Verwaltung."""
    user = models.User.objects.create_superuser(email="planung@example.org", password="ein-langes-Testpasswort")
    client.force_login(user)
    return user


# --- rows with everything a changelist shows -------------------------------------------------


def make_area():
    return SocialAreaFactory()


def make_topic():
    return models.Topic.objects.create(name=f"Thema {models.Topic.objects.count()}", slug=f"thema-{timezone.now():%f}")


def make_network():
    network = NetworkFactory()
    network.areas.add(SocialAreaFactory(), AreaFactory())
    MembershipFactory(network=network)
    return network


def make_category():
    return models.InstitutionCategory.objects.create(name=f"Bereich {models.InstitutionCategory.objects.count()}")


def make_type():
    count = models.InstitutionType.objects.count()
    return models.InstitutionType.objects.create(category=make_category(), name=f"Art {count}", slug=f"art-{count}")


def make_umbrella():
    return models.Umbrella.objects.create(name=f"Träger {models.Umbrella.objects.count()}")


def make_institution():
    return InstitutionFactory(umbrella=make_umbrella(), area=SocialAreaFactory())


def make_person():
    person = PersonFactory(user=UserFactory())
    ChannelFactory(person=person)
    models.Affiliation.objects.create(person=person, institution=InstitutionFactory(), function="Leitung")
    ConsentFactory(person=person)
    return person


def make_affiliation():
    return models.Affiliation.objects.create(person=PersonFactory(), institution=InstitutionFactory())


def make_channel():
    return ChannelFactory()


def make_consent():
    channel = ChannelFactory()
    return ConsentFactory(
        person=channel.person, scope=models.Consent.Scope.EMAIL, channel=channel, recorded_by=UserFactory()
    )


def make_membership():
    return MembershipFactory(institution=InstitutionFactory())


def make_user():
    user = UserFactory()
    PersonFactory(user=user)
    return user


def make_periodic_run():
    return PeriodicRun.objects.create(name=f"lauf-{PeriodicRun.objects.count()}", last_run_at=timezone.now())


MAKERS = {
    models.Area: make_area,
    models.Topic: make_topic,
    models.Network: make_network,
    models.InstitutionCategory: make_category,
    models.InstitutionType: make_type,
    models.Umbrella: make_umbrella,
    models.Institution: make_institution,
    models.Person: make_person,
    models.Affiliation: make_affiliation,
    models.ContactChannel: make_channel,
    models.Consent: make_consent,
    models.Membership: make_membership,
    models.User: make_user,
    PeriodicRun: make_periodic_run,
}


# --- every page loads ----------------------------------------------------------------------


def test_admin_registers_every_directory_model():
    registered = [model for model in CONTACTS_MODELS if admin.site.is_registered(model)]
    assert registered == CONTACTS_MODELS


def test_admin_index_speaks_german(client, planner):
    response = client.get(reverse("admin:index"))
    content = response.content.decode()
    assert response.status_code == 200
    assert "Netzwerk Aachen – Verwaltung" in content
    assert "Personen" in content


@pytest.mark.parametrize("model", ALL_MODELS, ids=lambda model: model._meta.model_name)
def test_admin_changelist_loads(client, planner, model):
    MAKERS[model]()
    response = client.get(admin_url(model, "changelist"))
    assert response.status_code == 200


@pytest.mark.parametrize("model", CONTACTS_MODELS, ids=lambda model: model._meta.model_name)
def test_admin_add_page_loads(client, planner, model):
    response = client.get(admin_url(model, "add"))
    assert response.status_code == 200


@pytest.mark.parametrize("model", ALL_MODELS, ids=lambda model: model._meta.model_name)
def test_admin_change_page_loads(client, planner, model):
    obj = MAKERS[model]()
    response = client.get(admin_url(model, "change", obj.pk))
    assert response.status_code == 200


def test_admin_periodic_runs_are_read_only(client, planner):
    run = make_periodic_run()
    assert client.get(admin_url(PeriodicRun, "add")).status_code == 403
    assert client.post(admin_url(PeriodicRun, "delete", run.pk), {"post": "yes"}).status_code == 403


# --- query counts ----------------------------------------------------------------------------


def changelist_queries(client, url: str) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200
    return len(queries)


@pytest.mark.parametrize("model", ALL_MODELS, ids=lambda model: model._meta.model_name)
def test_admin_changelist_queries_do_not_grow_with_rows(client, planner, model):
    url = admin_url(model, "changelist")
    MAKERS[model]()
    client.get(url)  # warm caches (content types, sessions) that are not per row
    with_one = changelist_queries(client, url)
    for _ in range(6):
        MAKERS[model]()
    with_many = changelist_queries(client, url)
    assert with_many == with_one


def test_admin_person_changelist_queries_do_not_grow_with_search_and_filters(client, planner):
    url = admin_url(models.Person, "changelist") + "?q=example.org&zugang=ja&einwilligung=ja"
    make_person()
    client.get(url)
    with_one = changelist_queries(client, url)
    for _ in range(6):
        make_person()
    with_many = changelist_queries(client, url)
    assert with_many == with_one


# --- search and filters ------------------------------------------------------------------------


def result_names(response) -> list[str]:
    return sorted(str(obj) for obj in response.context["cl"].result_list)


def test_admin_person_search_finds_email_address(client, planner):
    anna = PersonFactory(given_name="Anna", family_name="Beispiel")
    ChannelFactory(person=anna, value="anna.beispiel@example.org")
    ChannelFactory(person=PersonFactory(given_name="Bert", family_name="Muster"), value="bert@example.org")

    response = client.get(admin_url(models.Person, "changelist"), {"q": "anna.beispiel@example"})

    assert result_names(response) == ["Anna Beispiel"]


def test_admin_person_search_lists_a_person_with_two_matching_addresses_once(client, planner):
    anna = PersonFactory(given_name="Anna", family_name="Beispiel")
    ChannelFactory(person=anna, value="anna@example.org", is_primary=True)
    ChannelFactory(person=anna, value="anna.privat@example.org", is_primary=False)

    response = client.get(admin_url(models.Person, "changelist"), {"q": "anna"})

    assert result_names(response) == ["Anna Beispiel"]


def test_admin_user_search_by_email(client, planner):
    UserFactory(email="kaethe@example.org")
    UserFactory(email="otto@example.org")

    response = client.get(admin_url(models.User, "changelist"), {"q": "kaethe"})

    assert result_names(response) == ["kaethe@example.org"]


def test_admin_person_filters_by_network_account_and_consent(client, planner):
    network = NetworkFactory()
    member = MembershipFactory(network=network, person=PersonFactory(given_name="Mia", family_name="Mitglied")).person
    MembershipFactory(
        network=network,
        person=PersonFactory(given_name="Ede", family_name="Ehemalig"),
        start=datetime.date(2020, 1, 1),
        end=datetime.date(2021, 1, 1),
    )
    with_account = PersonFactory(given_name="Zora", family_name="Zugang", user=UserFactory())
    ConsentFactory(person=with_account)
    ConsentFactory(person=member, given_at=timezone.now() - datetime.timedelta(days=2), withdrawn_at=timezone.now())
    url = admin_url(models.Person, "changelist")

    assert result_names(client.get(url, {"netzwerk": network.pk})) == ["Mia Mitglied"]
    assert result_names(client.get(url, {"zugang": "ja"})) == ["Zora Zugang"]
    assert result_names(client.get(url, {"einwilligung": "ja"})) == ["Zora Zugang"]
    assert result_names(client.get(url, {"einwilligung": "nein"})) == ["Ede Ehemalig", "Mia Mitglied"]


def test_admin_network_area_filter_includes_areas_below(client, planner):
    district = AreaFactory(name="Testbezirk Mitte")
    social_area = SocialAreaFactory(parent=district)
    inside = NetworkFactory(name="Stadtteilkonferenz Innen")
    inside.areas.add(social_area)
    NetworkFactory(name="Stadtteilkonferenz Außen").areas.add(AreaFactory())

    response = client.get(admin_url(models.Network, "changelist"), {"gebiet": district.pk})

    assert result_names(response) == ["Stadtteilkonferenz Innen"]


# --- inviting accounts -------------------------------------------------------------------------


def invite(client, people, *, confirmed: bool = True):
    """Choose „Zugang einladen“ for ``people`` and, if ``confirmed``, answer the question with yes."""
    data = {"action": "invite_accounts", "_selected_action": [person.pk for person in people]}
    return client.post(admin_url(models.Person, "changelist"), data | ({"post": "yes"} if confirmed else {}))


def test_admin_invite_asks_first_naming_recipients_and_sends_nothing(
    client, planner, mailoutbox, django_capture_on_commit_callbacks
):
    ina = PersonFactory(given_name="Ina", family_name="Eingeladen")
    ChannelFactory(person=ina, value="ina@example.org")
    without = PersonFactory(given_name="Ohne", family_name="Adresse")

    with django_capture_on_commit_callbacks(execute=True):
        response = invite(client, [ina, without], confirmed=False)

    ina.refresh_from_db()
    page = response.content.decode()
    assert (response.status_code, ina.user, mailoutbox) == (200, None, [])
    assert [(str(row.person), row.address) for row in response.context["recipients"]] == [
        ("Ohne Adresse", None),
        ("Ina Eingeladen", "ina@example.org"),
    ]
    assert ("Ina Eingeladen – ina@example.org" in page, 'name="post" value="yes"' in page) == (True, True)


def test_admin_invite_creates_account_and_mails_link(client, planner, mailoutbox, django_capture_on_commit_callbacks):
    person = PersonFactory(given_name="Ina", family_name="Eingeladen")
    ChannelFactory(person=person, value="ina@example.org")

    with django_capture_on_commit_callbacks(execute=True):
        response = invite(client, [person])

    person.refresh_from_db()
    assert response.status_code == 302
    assert person.user.email == "ina@example.org"
    assert not person.user.has_usable_password()
    due_mail_send()
    assert [parseaddr(mail.to[0])[1] for mail in mailoutbox] == ["ina@example.org"]
    assert "/konto/einladung/" in mailoutbox[0].body
    assert message_texts(response) == ["Einladung verschickt an: Ina Eingeladen (ina@example.org)."]


def test_admin_invite_without_email_reports_error_and_creates_nothing(
    client, planner, mailoutbox, django_capture_on_commit_callbacks
):
    without = PersonFactory(given_name="Ohne", family_name="Adresse")
    with_address = PersonFactory(given_name="Mit", family_name="Adresse")
    ChannelFactory(person=with_address, value="mit@example.org")

    with django_capture_on_commit_callbacks(execute=True):
        response = invite(client, [without, with_address])

    without.refresh_from_db()
    assert response.status_code == 302
    assert without.user is None
    assert sorted(models.User.objects.values_list("email", flat=True)) == ["mit@example.org", "planung@example.org"]
    due_mail_send()
    assert [parseaddr(mail.to[0])[1] for mail in mailoutbox] == ["mit@example.org"]
    assert message_texts(response) == [
        "Ohne Adresse hat keine E-Mail-Adresse für die Einladung.",
        "Einladung verschickt an: Mit Adresse (mit@example.org).",
    ]


def test_admin_invite_needs_invite_permission(client, mailoutbox):
    """Staff outside the Sozialplanung do not get the action at all."""
    staff = UserFactory(is_staff=True)
    staff.user_permissions.add(*Permission.objects.filter(codename__in=["view_person", "change_person"]))
    client.force_login(staff)
    person = PersonFactory()
    ChannelFactory(person=person)

    response = invite(client, [person])

    person.refresh_from_db()
    assert person.user is None
    assert mailoutbox == []
    assert response.status_code == 200  # the changelist again, with "no action selected"


# --- consents ------------------------------------------------------------------------------------


def test_admin_consents_cannot_be_deleted(client, planner, rf):
    consent = make_consent()
    request = rf.get("/")
    request.user = planner
    consent_admin = admin.site.get_model_admin(models.Consent)

    response = client.post(admin_url(models.Consent, "delete", consent.pk), {"post": "yes"})

    assert response.status_code == 403
    assert consent_admin.has_delete_permission(request, consent) is False
    assert "delete_selected" not in consent_admin.get_actions(request)
    assert models.Consent.objects.filter(pk=consent.pk).exists()


def test_admin_consents_cannot_be_changed(client, planner):
    consent = make_consent()

    response = client.post(
        admin_url(models.Consent, "change", consent.pk),
        {"person": consent.person_id, "scope": "name", "audience": 1, "text_version": "geändert", "source": "papier"},
    )

    consent.refresh_from_db()
    assert response.status_code == 403
    assert consent.text_version == "2026-01"


def test_admin_withdraw_action_sets_withdrawn_at_and_keeps_earlier_dates(client, planner):
    active = make_consent()
    earlier = timezone.now() - datetime.timedelta(days=3)
    withdrawn = ConsentFactory(given_at=earlier - datetime.timedelta(days=1), withdrawn_at=earlier)

    response = client.post(
        admin_url(models.Consent, "changelist"),
        {"action": "withdraw", "_selected_action": [active.pk, withdrawn.pk]},
    )

    active.refresh_from_db()
    withdrawn.refresh_from_db()
    assert response.status_code == 302
    assert active.withdrawn_at is not None
    assert withdrawn.withdrawn_at == earlier
    assert message_texts(response) == ["1 Einwilligung widerrufen."]


def test_admin_add_consent_records_who_recorded_it(client, planner):
    person = PersonFactory()

    response = client.post(
        admin_url(models.Consent, "add"),
        {
            "person": person.pk,
            "scope": "name",
            "audience": models.Visibility.PUBLIC,
            "given_at_0": "2026-01-15",
            "given_at_1": "10:00:00",
            "text_version": "2026-01",
            "source": "papier",
        },
    )

    assert response.status_code == 302
    assert list(person.consents.values_list("recorded_by__email", flat=True)) == ["planung@example.org"]


def person_form_data(person, *, consents=(), new_consents=()) -> dict:
    """The POST of the person change form: the person, empty inlines, and consent rows."""
    data = {
        "title": person.title,
        "given_name": person.given_name,
        "family_name": person.family_name,
        "form_of_address": person.form_of_address,
        "language": person.language,
        "user": "",
        "notes": person.notes,
        "_save": "Sichern",
    }
    for prefix in ("channels", "affiliations", "memberships"):
        data |= {f"{prefix}-TOTAL_FORMS": 0, f"{prefix}-INITIAL_FORMS": 0, f"{prefix}-MAX_NUM_FORMS": 1000}
    rows = [*consents, *new_consents]
    data |= {"consents-TOTAL_FORMS": len(rows), "consents-INITIAL_FORMS": len(consents), "consents-MAX_NUM_FORMS": 1000}
    for index, row in enumerate(rows):
        data |= {f"consents-{index}-{key}": value for key, value in row.items()}
        data[f"consents-{index}-person"] = person.pk
    return data


def test_admin_person_form_adds_consent_but_leaves_recorded_ones_alone(client, planner):
    person = PersonFactory(family_name="Einverstanden")
    recorded = ConsentFactory(person=person, scope=models.Consent.Scope.NAME)
    tampered = {"id": recorded.pk, "scope": "phone", "text_version": "gefälscht", "DELETE": "on"}
    new = {
        "scope": "affiliation",
        "channel": "",
        "audience": models.Visibility.NETWORK_MEMBERS,
        "given_at_0": "2026-02-01",
        "given_at_1": "09:30:00",
        "text_version": "2026-01",
        "source": "papier",
    }

    response = client.post(
        admin_url(models.Person, "change", person.pk), person_form_data(person, consents=[tampered], new_consents=[new])
    )

    assert response.status_code == 302, response.context and response.context["errors"]
    rows = list(person.consents.order_by("pk").values_list("scope", "text_version", "recorded_by__email"))
    assert rows == [("name", "2026-01", None), ("affiliation", "2026-01", "planung@example.org")]


def test_admin_person_page_shows_consents_read_only_with_link_to_withdraw(client, planner):
    person = PersonFactory(notes="Ruft lieber vormittags an.")
    consent = ConsentFactory(person=person)

    response = client.get(admin_url(models.Person, "change", person.pk))

    consent_formset = next(
        formset for formset in response.context["inline_admin_formsets"] if formset.opts.model is models.Consent
    )
    content = response.content.decode()
    assert consent_formset.formset.can_delete is False
    assert 'name="consents-0-text_version"' not in content
    assert f"person__id__exact={person.pk}" in content
    assert "Ruft lieber vormittags an." in content
    assert consent.text_version in content


def test_admin_consent_list_filtered_by_person_from_the_link(client, planner):
    person = PersonFactory(family_name="Verlinkt")
    ConsentFactory(person=person)
    ConsentFactory()

    response = client.get(admin_url(models.Consent, "changelist"), {"person__id__exact": person.pk})

    assert [consent.person_id for consent in response.context["cl"].result_list] == [person.pk]


# --- accounts ------------------------------------------------------------------------------------


def test_admin_user_add_form_creates_account_with_lower_case_email(client, planner):
    response = client.post(
        admin_url(models.User, "add"),
        {
            "email": "Neu.Zugang@Example.org",
            "usable_password": "true",
            "password1": "ein-langes-Testpasswort",
            "password2": "ein-langes-Testpasswort",
        },
    )

    user = models.User.objects.get(email="neu.zugang@example.org")
    assert response.status_code == 302
    assert user.check_password("ein-langes-Testpasswort")
    assert not user.is_staff


def test_admin_user_add_form_rejects_existing_email_in_other_case(client, planner):
    UserFactory(email="doppelt@example.org")

    response = client.post(
        admin_url(models.User, "add"),
        {"email": "Doppelt@example.org", "usable_password": "false"},
    )

    assert response.status_code == 200
    assert models.User.objects.filter(email__iexact="doppelt@example.org").count() == 1


def test_admin_autocomplete_finds_person_by_email_for_membership_form(client, planner):
    anna = PersonFactory(given_name="Anna", family_name="Beispiel")
    ChannelFactory(person=anna, value="anna@example.org", is_primary=True)
    ChannelFactory(person=anna, value="anna.privat@example.org", is_primary=False)
    PersonFactory(given_name="Bert", family_name="Muster")

    response = client.get(
        reverse("admin:autocomplete"),
        {"app_label": "contacts", "model_name": "membership", "field_name": "person", "term": "anna"},
    )

    assert response.status_code == 200
    assert [row["text"] for row in response.json()["results"]] == ["Anna Beispiel"]


def test_admin_sozialplanung_group_member_keeps_the_directory_without_superuser(client):
    """Staff in the Sozialplanung group (not superusers) can list, add and change, not delete."""
    from django.contrib.auth.models import Group

    staff = UserFactory(email="fb56@example.org", is_staff=True)
    staff.groups.add(Group.objects.get(name="Sozialplanung"))
    person = PersonFactory()
    client.force_login(staff)

    assert client.get(admin_url(models.Person, "changelist")).status_code == 200
    assert client.get(admin_url(models.Person, "add")).status_code == 200
    assert client.get(admin_url(models.Person, "change", person.pk)).status_code == 200
    assert client.get(admin_url(models.Person, "delete", person.pk)).status_code == 403


def new_person_form_data(*, memberships=()) -> dict:
    """The POST of „Person hinzufügen“ for Erika Neu, with ``memberships`` rows."""
    data = person_form_data(models.Person(given_name="Erika", family_name="Neu"))
    data |= {"memberships-TOTAL_FORMS": len(memberships), "consents-TOTAL_FORMS": 0, "consents-INITIAL_FORMS": 0}
    for index, row in enumerate(memberships):
        data |= {f"memberships-{index}-{key}": value for key, value in row.items()}
    return data


@pytest.mark.parametrize("role", [models.Membership.Role.MEMBER, models.Membership.Role.SPEAKER])
def test_admin_person_add_with_membership_saves_in_one_go(client, planner, role):
    network = NetworkFactory()
    row = {"network": network.pk, "institution": "", "role": role, "start": "2026-01-01", "end": "", "note": ""}

    response = client.post(admin_url(models.Person, "add"), new_person_form_data(memberships=[row]))

    assert response.status_code == 302, response.context and response.context["errors"]
    person = models.Person.objects.get(family_name="Neu")
    assert list(person.memberships.values_list("network_id", "role")) == [(network.pk, role)]


@pytest.mark.parametrize("count", [1, 5])
def test_invitation_recipients_cost_two_queries_however_many(count, django_assert_num_queries):
    people = [PersonFactory(user=UserFactory() if index % 2 else None) for index in range(count)]
    for person in people:
        ChannelFactory(person=person)

    with django_assert_num_queries(2):
        selectors.account_invitation_recipients(models.Person.objects.all())
