"""Reads of the member-list imports: the list of runs and who of a run's people has no consent."""

from django.db.models import Exists, OuterRef, QuerySet

from contacts.models import Consent, ContactChannel, ImportRun, Person

IMPORT_LIST_SIZE = 50
PREVIEW_PAGE_SIZE = 100


def import_run_list() -> QuerySet[ImportRun]:
    """The latest imports, newest first, without their files and previews (large)."""
    return (
        ImportRun.objects.select_related("network", "created_by")
        .defer("data", "rows", "merged_across", "preview", "headers", "mapping", "decisions")
        .order_by("-created_at", "-pk")[:IMPORT_LIST_SIZE]
    )


def import_run_get(pk: int) -> ImportRun | None:
    """A run with what its pages show; the file itself (up to 10 MB) stays in the database."""
    return ImportRun.objects.select_related("network", "default_type", "created_by").defer("data").filter(pk=pk).first()


def import_people_without_consent(run: ImportRun) -> QuerySet[Person]:
    """People the run imported or matched who have given no consent yet and have an address
    to ask them at: those a consent request can go to."""
    return (
        Person.objects.filter(pk__in=run.result.get("people", []))
        .annotate(
            has_consent=Exists(Consent.objects.filter(person=OuterRef("pk"), withdrawn_at__isnull=True)),
            has_email=Exists(ContactChannel.objects.filter(person=OuterRef("pk"), kind=ContactChannel.Kind.EMAIL)),
        )
        .filter(has_consent=False, has_email=True)
        .order_by("family_name", "given_name", "pk")
    )
