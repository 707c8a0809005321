"""„Als CSV / Als Excel“ on the Verwaltung's lists of networks, institutions, people and
memberships: the rows the list shows with its current filters and search, every row, not
one page. Reads in a fixed number of queries; writes nothing."""

from django.contrib.admin.options import IncorrectLookupParameters
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponseBadRequest
from django.urls import path
from django.utils import timezone
from django.utils.translation import gettext as _

from contacts import models
from contacts.exports import FORMATS, spreadsheet_response
from contacts.selectors import people_for_projection
from contacts.visibility import SOZIALPLANUNG, project_person


def network_table(queryset) -> tuple[list[str], list[list]]:
    networks = queryset.select_related("parent").prefetch_related("areas")
    headers = [_("Name"), _("Kurzname"), _("Art"), _("gehört zu"), _("Gebiete"), _("Internetseite"), _("Rhythmus")]
    headers += [_("Mitglieder heute"), _("aktiv"), _("Stand")]
    rows = [
        [
            network.name,
            network.short_name,
            network.get_kind_display(),
            network.parent.name if network.parent else "",
            ", ".join(area.name for area in network.areas.all()),
            network.website,
            network.rhythm,
            getattr(network, "current_member_count", ""),
            network.is_active,
            network.confirmed_at,
        ]
        for network in networks
    ]
    return headers, rows


def institution_table(queryset) -> tuple[list[str], list[list]]:
    institutions = queryset.select_related("type", "umbrella", "area")
    headers = [_("Name"), _("Art"), _("Träger"), _("Straße und Hausnummer"), _("Postleitzahl"), _("Ort")]
    headers += [_("Gebiet"), _("E-Mail"), _("Telefon"), _("Internetseite"), _("Zugänglichkeit"), _("aktiv"), _("Stand")]
    rows = [
        [
            institution.name,
            institution.type.name,
            institution.umbrella.name if institution.umbrella else "",
            institution.street,
            institution.postal_code,
            institution.city,
            institution.area.name if institution.area else "",
            institution.email,
            institution.phone,
            institution.website,
            institution.get_accessibility_display(),
            institution.is_active,
            institution.confirmed_at,
        ]
        for institution in institutions
    ]
    return headers, rows


def person_table(queryset) -> tuple[list[str], list[list]]:
    """People for Sozialplanung: through the projection (which shows staff everything), so
    the export reads the same fields as every other surface."""
    people = people_for_projection(queryset.select_related("user"))
    headers = [_("Titel"), _("Vorname"), _("Nachname"), _("Anrede / Pronomen"), _("E-Mail"), _("Telefon")]
    headers += [_("Einrichtungen"), _("Zugang"), _("Stand")]
    rows = []
    for person in people:
        view = project_person(person, SOZIALPLANUNG)
        rows.append(
            [
                person.title,
                person.given_name,
                person.family_name,
                view.form_of_address,
                ", ".join(view.emails),
                ", ".join(view.phones),
                ", ".join(affiliation.institution_name for affiliation in view.affiliations),
                person.user_id is not None,
                person.confirmed_at,
            ]
        )
    return headers, rows


def membership_table(queryset) -> tuple[list[str], list[list]]:
    memberships = queryset.select_related("network", "institution", "person")
    headers = [_("Netzwerk"), _("Einrichtung"), _("Person"), _("Rolle"), _("seit"), _("bis"), _("Bemerkung")]
    rows = [
        [
            membership.network.name,
            membership.institution.name if membership.institution else "",
            membership.person.full_name if membership.person else "",
            membership.get_role_display(),
            membership.start,
            membership.end,
            membership.note,
        ]
        for membership in memberships
    ]
    return headers, rows


TABLES = {
    models.Network: network_table,
    models.Institution: institution_table,
    models.Person: person_table,
    models.Membership: membership_table,
}


class ExportAdmin:
    """Mix into the ``ModelAdmin`` of a model in ``TABLES``."""

    change_list_template = "admin/export_change_list.html"

    def get_urls(self):
        name = f"{self.opts.app_label}_{self.opts.model_name}_export"
        return [
            path("export/<str:fmt>/", self.admin_site.admin_view(self.export_view), name=name),
            *super().get_urls(),
        ]

    def export_view(self, request, fmt: str):
        if fmt not in FORMATS:
            raise Http404(_("Dieses Format gibt es nicht."))
        if not self.has_view_or_change_permission(request):
            raise PermissionDenied
        try:
            changelist = self.get_changelist_instance(request)
        except IncorrectLookupParameters:
            return HttpResponseBadRequest(_("Diese Filter passen nicht zur Liste."))
        queryset = changelist.get_queryset(request)
        headers, rows = TABLES[self.model](queryset)
        filename = f"{self.opts.verbose_name_plural}-{timezone.localdate():%Y-%m-%d}"
        return spreadsheet_response(fmt, headers=headers, rows=rows, filename=filename)
