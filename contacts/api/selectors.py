"""Reads behind the directory API, each with its prefetching and its audience.

Who may see a person field is decided by ``contacts.visibility.project_person`` alone. The
querysets here only pre-select *candidates*: a person appears in a list when the audience
may see their name (the same rule the projection applies, expressed in SQL so pagination
and counts stay in the database); every row is then projected before it is serialised.
"""

import datetime

from django.db.models import Prefetch, Q, QuerySet
from django.utils import timezone

from contacts.models import Consent, Institution, Membership, Person, Visibility
from contacts.selectors import people_for_projection
from contacts.visibility import Audience


def people_named_for(audience: Audience, *, day: datetime.date | None = None) -> QuerySet[Person]:
    """People whose name ``audience`` may see (see ``visibility.may_see``).

    Public consent to the name; or consent for members and a shared current network; or
    the viewer's own record; Sozialplanung sees everyone.
    """
    if audience.is_sozialplanung:
        return Person.objects.all()
    consents = Consent.objects.filter(scope=Consent.Scope.NAME, withdrawn_at__isnull=True)
    named = Q(pk__in=consents.filter(audience=Visibility.PUBLIC).values("person_id"))
    if audience.network_ids:
        sharing = Membership.objects.active(day or timezone.localdate()).filter(network_id__in=audience.network_ids)
        named |= Q(
            pk__in=consents.filter(
                audience=Visibility.NETWORK_MEMBERS, person_id__in=sharing.values("person_id")
            ).values("person_id")
        )
    if audience.person_id is not None:
        named |= Q(pk=audience.person_id)
    return Person.objects.filter(named)


def person_list(audience: Audience) -> QuerySet[Person]:
    """People ``audience`` may see by name, ready for the projection, by name."""
    return people_for_projection(people_named_for(audience)).order_by("family_name", "given_name", "pk")


# What ``InstitutionSerializer`` shows of an institution and of the rows it points to (a
# list reads 50 of them: not the search columns, the coordinates, the opening hours, nor
# the area's description).
INSTITUTION_SHOWN = (
    *("name", "slug", "street", "postal_code", "city", "website", "email", "phone"),
    *("accessibility", "accessibility_notes", "updated_at"),
    *("type__name", "type__slug", "type__category__name"),
    *("umbrella__name", "umbrella__short_name", "umbrella__website"),
    *("area__level", "area__code", "area__name", "area__slug"),
)


def institution_list() -> QuerySet[Institution]:
    """Active institutions (the ones with a public page) with type, category, umbrella and
    area, only what the API shows of them (the viewset only reads)."""
    return institutions_listed().select_related("type__category", "umbrella", "area").only(*INSTITUTION_SHOWN)


# What the list of institutions reads, as values (``institution_rows``): the columns of
# ``INSTITUTION_SHOWN``, with the ids beside them.
INSTITUTION_ROW_COLUMNS = (
    "id",
    *INSTITUTION_SHOWN,
    *("type_id", "umbrella_id", "area_id"),
)


def institutions_listed() -> QuerySet[Institution]:
    """Active institutions by name, with nothing joined: what the list filters, counts and
    orders before ``institution_rows`` reads a page of it."""
    return Institution.objects.filter(is_active=True).order_by("name", "pk")


def institution_rows(institutions: QuerySet[Institution]) -> list[dict]:
    """``institutions`` (a page of ``institutions_listed``) as rows: dicts of
    ``INSTITUTION_ROW_COLUMNS``, type, category, umbrella and area joined in one query."""
    return list(institutions.values(*INSTITUTION_ROW_COLUMNS))


def membership_list(audience: Audience, *, day: datetime.date | None = None) -> QuerySet[Membership]:
    """Current memberships in active networks that ``audience`` may know of.

    An institution's membership and a speaker-team role are public (the pages show them);
    an individual's membership only when the audience may see that person's name. People on
    the rows come ready for the projection.
    """
    day = day or timezone.localdate()
    named = people_named_for(audience, day=day)
    visible = Q(institution__isnull=False) | Q(role__in=Membership.LEADING_ROLES) | Q(person_id__in=named.values("pk"))
    return (
        Membership.objects.active(day)
        .filter(visible, network__is_active=True)
        .select_related("network", "institution")
        .prefetch_related(Prefetch("person", queryset=people_for_projection(Person.objects.all())))
        .order_by("network__name", "role", "start", "pk")
    )
