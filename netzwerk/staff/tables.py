"""The tables of the staff pages as data: shown on the page, downloaded as CSV or XLSX
(tablib with openpyxl), with the same headings and figures everywhere."""

from __future__ import annotations

import datetime
from dataclasses import dataclass

import tablib
from django.utils.translation import gettext as _

from netzwerk.staff.overview import KIND_SHORT, OverviewRow, SpeakerTeam
from netzwerk.staff.report import UncoveredArea, YearlyReport

# A spreadsheet program runs a cell that starts with one of these as a formula (CSV or
# XLSX alike); a name typed into the directory must never do that (formula injection).
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def neutralise(value):
    """``value`` safe for a spreadsheet cell: text that a spreadsheet would take for a
    formula gets a leading apostrophe; numbers and dates stay as they are."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


@dataclass
class Table:
    """A table of a page: ``key`` names the download, ``title`` is its caption."""

    key: str
    title: str
    columns: list[str]
    rows: list[list]

    @property
    def numeric(self) -> list[bool]:
        """Per column: whether it holds figures (right-aligned on the page)."""
        return [
            any(isinstance(row[index], int | float) for row in self.rows)
            and all(row[index] is None or isinstance(row[index], int | float) for row in self.rows)
            for index in range(len(self.columns))
        ]

    @property
    def header(self) -> list[tuple[str, bool]]:
        return list(zip(self.columns, self.numeric, strict=True))

    @property
    def body(self) -> list[list[tuple[object, bool]]]:
        numeric = self.numeric
        return [list(zip(row, numeric, strict=True)) for row in self.rows]

    def dataset(self) -> tablib.Dataset:
        data = tablib.Dataset(headers=[neutralise(column) for column in self.columns], title=self.key[:31])
        for row in self.rows:
            data.append([neutralise(cell) for cell in row])
        return data


def tables_csv(table: Table) -> bytes:
    """One table as CSV: UTF-8 with a byte-order mark and ``;`` (what German Excel opens)."""
    text = table.dataset().export("csv", delimiter=";")
    return ("\ufeff" + text).encode("utf-8")


def tables_xlsx(tables: list[Table]) -> bytes:
    """Every table as one sheet of an XLSX workbook."""
    book = tablib.Databook([table.dataset() for table in tables])
    return book.export("xlsx")


def _date(moment) -> datetime.date | None:
    if moment is None:
        return None
    return moment.date() if isinstance(moment, datetime.datetime) else moment


def speaker_team_label(team: str) -> str:
    return {
        SpeakerTeam.VACANT: _("Sprecher*in gesucht"),
        SpeakerTeam.INCOMPLETE: _("unvollständig"),
        SpeakerTeam.COMPLETE: _("vollständig"),
    }[team]


def overview_table(rows: list[OverviewRow]) -> Table:
    from meetings.recurrence import BERLIN

    def local(moment):
        return _date(moment.astimezone(BERLIN)) if moment is not None else None

    return Table(
        key="netzwerke-ueberblick",
        title=_("Netzwerke im Überblick"),
        columns=[
            _("Netzwerk"),
            _("Art"),
            _("letzte Sitzung"),
            _("nächste Sitzung"),
            _("Sitzungen (12 Monate)"),
            _("mit Protokoll (%)"),
            _("Mitglieder"),
            _("Veränderung (12 Monate)"),
            _("Sprecher*innenteam"),
            _("Amtszeiten enden (3 Monate)"),
            _("Stand"),
            _("Mitglieder ohne aktuellen Stand"),
        ],
        rows=[
            [
                row.network.name,
                str(row.network.get_kind_display()),
                local(row.last_meeting),
                local(row.next_meeting),
                row.meetings_12_months,
                row.minutes_share,
                row.members,
                row.members_change,
                speaker_team_label(row.speaker_team),
                ", ".join(f"{name} ({end:%d.%m.%Y})" for name, end in row.terms_ending),
                local(row.confirmed_at),
                row.stale_members,
            ]
            for row in rows
        ],
    )


def _uncovered_rows(areas: list[UncoveredArea]) -> list[list]:
    return [
        [
            area.area.code,
            area.area.name,
            area.social_area.name if area.social_area else "",
            area.district.name if area.district else "",
        ]
        for area in areas
    ]


def report_tables(report: YearlyReport) -> list[Table]:
    """Every table of the yearly report, in the order of the page."""
    uncovered_columns = [_("Nr."), _("Lebensraum"), _("Sozialraum"), _("Stadtbezirk")]
    return [
        Table(
            key="netzwerke",
            title=_("Netzwerke %(year)s") % {"year": report.year},
            columns=[
                _("Netzwerk"),
                _("Art"),
                _("Sitzungen"),
                _("Ø Anwesende"),
                _("Protokolle veröffentlicht"),
                _("Mitglieder am Jahresanfang"),
                _("Mitglieder am Stichtag"),
                _("neu"),
                _("ausgeschieden"),
            ],
            rows=[
                [
                    year.network.name,
                    KIND_SHORT.get(year.network.kind, str(year.network.get_kind_display())),
                    year.meetings_held,
                    year.average_attendance,
                    year.minutes_published,
                    year.members_start,
                    year.members_end,
                    year.new_members,
                    year.departed_members,
                ]
                for year in report.networks
            ],
        ),
        Table(
            key="netzwerke-einrichtungsarten",
            title=_("Mitgliedseinrichtungen je Netzwerk nach Art"),
            columns=[_("Netzwerk"), _("Einrichtungsart"), _("Anzahl")],
            rows=[
                [year.network.name, type_name, count]
                for year in report.networks
                for type_name, count in sorted(year.type_names.items(), key=lambda pair: pair[0].casefold())
            ],
        ),
        Table(
            key="sozialraeume",
            title=_("Sozialräume %(year)s") % {"year": report.year},
            columns=[
                _("Nr."),
                _("Sozialraum"),
                _("Netzwerke"),
                _("Sitzungen"),
                _("Ø Anwesende"),
                _("Protokolle veröffentlicht"),
                _("Mitglieder am Stichtag"),
                _("neu"),
                _("ausgeschieden"),
                _("Einrichtungen im Sozialraum"),
            ],
            rows=[
                [
                    area.area.code,
                    area.area.name,
                    len(area.networks),
                    area.meetings_held,
                    area.average_attendance,
                    area.minutes_published,
                    area.members_end,
                    area.new_members,
                    area.departed_members,
                    area.institutions,
                ]
                for area in report.social_areas
            ],
        ),
        Table(
            key="teilnahme-monate",
            title=_("Sitzungen und Teilnahme nach Monat"),
            columns=[_("Monat"), _("Sitzungen"), _("Anwesende"), _("Ø Anwesende")],
            rows=[
                [month.label, month.meetings_held, month.present, month.average_attendance] for month in report.months
            ],
        ),
        Table(
            key="mitglieder-nach-art",
            title=_("Mitgliedseinrichtungen nach Art"),
            columns=[_("Einrichtungsart"), _("Mitgliedschaften")],
            rows=[[institution_type.name, count] for institution_type, count in report.members_by_type],
        ),
        Table(
            key="lebensraeume-ohne-stk",
            title=_("Lebensräume ohne Stadtteilkonferenz"),
            columns=uncovered_columns,
            rows=_uncovered_rows(report.without_stk),
        ),
        Table(
            key="lebensraeume-ohne-oag",
            title=_("Lebensräume ohne OAG"),
            columns=uncovered_columns,
            rows=_uncovered_rows(report.without_oag),
        ),
        Table(
            key="fehlende-einrichtungsarten",
            title=_("Einrichtungsarten, die in einem Sozialraum fehlen"),
            columns=[_("Nr."), _("Sozialraum"), _("fehlende Einrichtungsarten")],
            rows=[
                [area.area.code, area.area.name, ", ".join(t.name for t in area.missing_types)]
                for area in report.social_areas
            ],
        ),
    ]
