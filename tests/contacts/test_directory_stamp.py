"""The directory's stamp (``DirectoryStamp``, kept by triggers) and the fragments of the
public lists cached under it: every write that changes a list shows on the next request,
also a bulk ``update()`` or ``delete()`` that sends no signal."""

import pytest
from django.db import connection, transaction
from django.utils import timezone

from contacts.models import Area, Consent, DirectoryStamp, Institution, Membership, Network, Topic, User
from contacts.selectors import directory_version
from tests.factories import (
    AreaFactory,
    ConsentFactory,
    InstitutionFactory,
    LivingAreaFactory,
    MembershipFactory,
    NetworkFactory,
    PersonFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db


def test_directory_version_moves_with_every_kind_of_write_to_the_lists():
    network = NetworkFactory()
    institution = InstitutionFactory()
    area = LivingAreaFactory()
    seen = [directory_version()]

    Network.objects.filter(pk=network.pk).update(name="Umbenannt")
    seen.append(directory_version())
    network.areas.add(area)
    seen.append(directory_version())
    network.topics.add(Topic.objects.create(name="Wohnen", slug="wohnen"))
    seen.append(directory_version())
    Institution.objects.filter(pk=institution.pk).delete()
    seen.append(directory_version())
    Area.objects.filter(pk=area.pk).update(name="Neuer Name")
    seen.append(directory_version())

    assert len(set(seen)) == len(seen)


def test_directory_version_stays_for_writes_the_pages_do_not_show():
    user = UserFactory()
    before = directory_version()

    User.objects.filter(pk=user.pk).update(last_login=timezone.now())

    assert directory_version() == before


def test_directory_version_is_not_given_again_after_a_rollback():
    """A rolled-back write must not leave its number to a later, different state: a page
    rendered inside that transaction would otherwise be served for it."""
    before = directory_version()
    with pytest.raises(RuntimeError), transaction.atomic():
        NetworkFactory()
        inside = directory_version()
        raise RuntimeError
    assert directory_version() == before

    NetworkFactory()

    assert directory_version() not in {before, inside}


def test_directory_version_moves_once_per_statement_on_postgresql_once_per_row_on_sqlite():
    """PostgreSQL's triggers are statement-level: a bulk update of three networks is one new
    version. SQLite (the demo) has row triggers only: three."""
    NetworkFactory.create_batch(3)
    before = DirectoryStamp.objects.get().version

    Network.objects.update(rhythm="monatlich")

    moved = DirectoryStamp.objects.get().version - before
    assert moved == (1 if connection.vendor == "postgresql" else 3)


@pytest.mark.parametrize("url", ["/", "/netzwerke/", "/netzwerke/?art=stk"])
def test_network_lists_show_a_bulk_renamed_network_at_once(client, url):
    network = NetworkFactory(name="Stadtteilkonferenz Altname", kind=Network.Kind.NEIGHBOURHOOD_CONFERENCE)
    assert "Stadtteilkonferenz Altname" in client.get(url).content.decode()

    Network.objects.filter(pk=network.pk).update(name="Stadtteilkonferenz Neuname")
    html = client.get(url).content.decode()

    assert ("Stadtteilkonferenz Neuname" in html, "Stadtteilkonferenz Altname" in html) == (True, False)


def test_network_page_shows_a_bulk_renamed_network_and_parent_at_once(client):
    parent = NetworkFactory(name="Stadtteilkonferenz Altes Dach")
    group = NetworkFactory(name="AK Altname", slug="ak-test", kind=Network.Kind.WORKING_GROUP, parent=parent)
    assert "AK Altname" in client.get("/netzwerke/ak-test/").content.decode()

    Network.objects.filter(pk=group.pk).update(name="AK Neuname")
    Network.objects.filter(pk=parent.pk).update(name="Stadtteilkonferenz Neues Dach")
    html = client.get("/netzwerke/ak-test/").content.decode()
    title = html[html.index("<title>") : html.index("</title>")]
    breadcrumbs = html[html.index('class="breadcrumbs"') : html.index("</nav>", html.index('class="breadcrumbs"'))]

    assert ("AK Neuname" in title, "AK Altname" in html) == (True, False)
    assert ("Stadtteilkonferenz Neues Dach" in breadcrumbs, "Altes Dach" in html) == (True, False)


def test_network_lists_drop_a_network_made_inactive_in_bulk(client):
    NetworkFactory(name="Stadtteilkonferenz Bleibt")
    gone = NetworkFactory(name="Stadtteilkonferenz Endet")
    client.get("/")
    client.get("/netzwerke/")

    Network.objects.filter(pk=gone.pk).update(is_active=False)

    for url in ("/", "/netzwerke/"):
        html = client.get(url).content.decode()
        assert ("Stadtteilkonferenz Bleibt" in html, "Stadtteilkonferenz Endet" in html) == (True, False)


@pytest.mark.parametrize("url", ["/", "/gebiete/", "/netzwerke/", "/einrichtungen/"])
def test_area_selects_and_tree_show_a_new_area_at_once(client, url):
    district = AreaFactory(name="Aachen-Mitte", slug="aachen-mitte-test")
    assert client.get(url).status_code == 200

    AreaFactory(name="Bezirk Neuland", slug="bezirk-neuland", parent=None, level=district.level)
    html = client.get(url).content.decode()

    assert "Bezirk Neuland" in html


def test_area_names_on_the_network_list_follow_a_bulk_rename(client):
    area = LivingAreaFactory(name="Lebensraum Alt")
    NetworkFactory().areas.add(area)
    assert "Lebensraum Alt" in client.get("/netzwerke/").content.decode()

    Area.objects.filter(pk=area.pk).update(name="Lebensraum Neu")

    assert "Lebensraum Neu" in client.get("/netzwerke/").content.decode()


def test_fragments_are_kept_apart_by_language(client):
    NetworkFactory(kind=Network.Kind.NEIGHBOURHOOD_CONFERENCE)
    german = client.get("/netzwerke/", headers={"accept-language": "de"}).content.decode()

    english = client.get("/netzwerke/", headers={"accept-language": "en"}).content.decode()

    assert ("<td>Stadtteilkonferenz</td>" in german, "<td>Stadtteilkonferenz</td>" in english) == (True, False)
    assert "<td>Neighbourhood conference</td>" in english


def test_network_page_drops_a_name_at_once_when_its_consent_is_withdrawn_in_bulk(client):
    """The anonymous network page is a fragment of the directory version: a withdrawal
    written without the service (a bulk ``update()``) still shows on the next request."""
    network = NetworkFactory()
    speaker = PersonFactory(given_name="Sprechkarla", family_name="Oeffentlich")
    ConsentFactory(person=speaker, scope=Consent.Scope.NAME)
    MembershipFactory(network=network, person=speaker, role=Membership.Role.SPEAKER)
    assert "Sprechkarla Oeffentlich" in client.get(f"/netzwerke/{network.slug}/").content.decode()

    Consent.objects.filter(person=speaker).update(withdrawn_at=timezone.now())

    assert "Sprechkarla" not in client.get(f"/netzwerke/{network.slug}/").content.decode()
