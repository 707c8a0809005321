"""Recurrence rules of meeting series: checking, expanding and describing them. Pure.

A series stores an RFC 5545 RRULE *without* DTSTART, UNTIL or COUNT; the first day, the
local start time, the end day and the number of meetings are separate fields, so each fact
lives in one place and the rule builder can offer them as separate inputs.

All expansion happens on naive Europe/Berlin wall-clock datetimes, and only afterwards is
the zone attached: "every 2nd Tuesday at 18:30" means 18:30 on the clock in Aachen, in
summer and in winter. Expanding in UTC would move every winter meeting by an hour.

Local times that do not exist or exist twice are resolved as RFC 5545 (3.3.5) prescribes,
so the database and every calendar client that reads the feed agree:

- a time in the spring gap (02:00–03:00 on the last Sunday of March) is read with the
  offset before the gap, i.e. 02:30 becomes 03:30 CEST;
- a time in the autumn overlap (02:00–03:00 on the last Sunday of October) means its first
  occurrence, i.e. 02:30 CEST, not 02:30 CET.

``zoneinfo`` with ``fold=0`` does exactly this, which is why ``localize`` is one line.
"""

import datetime
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from dateutil.rrule import rrule, rrulestr
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

BERLIN = ZoneInfo("Europe/Berlin")

# Meetings repeat at most daily: the time of day is a field of its own, so rule parts that
# would add times (BYHOUR, …) or repeat within a day are refused.
ALLOWED_FREQUENCIES = ("DAILY", "WEEKLY", "MONTHLY", "YEARLY")
ALLOWED_PARTS = ("FREQ", "INTERVAL", "BYDAY", "BYMONTHDAY", "BYMONTH", "BYSETPOS", "WKST")
# Filters by day of month or position need a month to count in. On DAILY/WEEKLY rules they
# allow combinations that never match, which dateutil would search for until the year 9999.
MONTHLY_ONLY_PARTS = ("BYMONTHDAY", "BYSETPOS")
MAX_INTERVAL = 99
# A rule whose first meeting lies further ahead than this is a typo, not a plan.
FIRST_MEETING_WITHIN_YEARS = 5

WEEKDAY_CODES = ("MO", "TU", "WE", "TH", "FR", "SA", "SU")


def weekday_names() -> tuple[str, ...]:
    return (_("Montag"), _("Dienstag"), _("Mittwoch"), _("Donnerstag"), _("Freitag"), _("Samstag"), _("Sonntag"))


def month_names() -> tuple[str, ...]:
    return (
        _("Januar"),
        _("Februar"),
        _("März"),
        _("April"),
        _("Mai"),
        _("Juni"),
        _("Juli"),
        _("August"),
        _("September"),
        _("Oktober"),
        _("November"),
        _("Dezember"),
    )


def localize(local: datetime.datetime) -> datetime.datetime:
    """Attach Europe/Berlin to a naive wall-clock time (gap and overlap: see module doc)."""
    return local.replace(tzinfo=BERLIN, fold=0)


def parse_parts(rule: str) -> dict[str, str]:
    """Split ``rule`` into its parts, upper-cased; raises ``ValidationError`` in German."""
    text = (rule or "").strip()
    if text.upper().startswith("RRULE:"):
        text = text[len("RRULE:") :]
    if not text:
        raise ValidationError(_("Bitte geben Sie eine Wiederholungsregel an, z. B. FREQ=MONTHLY;BYDAY=2TU."))
    if "DTSTART" in text.upper():
        raise ValidationError(
            _("Die Regel darf kein DTSTART enthalten: der erste Termin steht im Feld „erster Termin“.")
        )
    if "\n" in text or "\r" in text:
        raise ValidationError(_("Die Regel besteht aus genau einer Zeile, z. B. FREQ=MONTHLY;BYDAY=2TU."))
    parts: dict[str, str] = {}
    for piece in text.strip(";").split(";"):
        key, sep, value = piece.partition("=")
        key = key.strip().upper()
        value = value.strip().upper()
        if key in ("UNTIL", "COUNT"):
            raise ValidationError(
                _("Das Ende der Serie bitte im Feld „bis“ oder „Anzahl“ angeben, nicht in der Regel (%(part)s).")
                % {"part": key}
            )
        if key in ("BYHOUR", "BYMINUTE", "BYSECOND"):
            raise ValidationError(
                _("Die Uhrzeit steht im Feld „Beginn“, nicht in der Regel (%(part)s).") % {"part": key}
            )
        if not sep or not value:
            raise ValidationError(_("Der Teil „%(part)s“ der Regel hat keinen Wert.") % {"part": piece.strip()})
        if key not in ALLOWED_PARTS:
            raise ValidationError(_("Der Teil „%(part)s“ wird in Regeln nicht unterstützt.") % {"part": key})
        if key in parts:
            raise ValidationError(_("Der Teil „%(part)s“ steht doppelt in der Regel.") % {"part": key})
        parts[key] = value
    freq = parts.get("FREQ")
    if freq is None:
        raise ValidationError(_("Die Regel braucht eine Häufigkeit (FREQ), z. B. FREQ=MONTHLY;BYDAY=2TU."))
    if freq in ("HOURLY", "MINUTELY", "SECONDLY"):
        raise ValidationError(_("Sitzungen wiederholen sich höchstens täglich (FREQ=%(freq)s).") % {"freq": freq})
    if freq not in ALLOWED_FREQUENCIES:
        raise ValidationError(
            _("Unbekannte Häufigkeit „%(freq)s“; möglich sind DAILY, WEEKLY, MONTHLY und YEARLY.") % {"freq": freq}
        )
    if freq in ("DAILY", "WEEKLY"):
        for key in MONTHLY_ONLY_PARTS:
            if key in parts:
                raise ValidationError(
                    _("%(part)s ist nur bei monatlichen oder jährlichen Regeln möglich.") % {"part": key}
                )
    if "INTERVAL" in parts:
        interval = parts["INTERVAL"]
        if not interval.isdigit() or not 1 <= int(interval) <= MAX_INTERVAL:
            raise ValidationError(_("INTERVAL muss eine ganze Zahl von 1 bis %(max)s sein.") % {"max": MAX_INTERVAL})
    return parts


def normalize(rule: str) -> str:
    """The rule in a canonical spelling: upper case, no ``RRULE:`` prefix, FREQ first."""
    parts = parse_parts(rule)
    ordered = ["FREQ", *(key for key in ALLOWED_PARTS if key != "FREQ")]
    return ";".join(f"{key}={parts[key]}" for key in ordered if key in parts)


@dataclass(frozen=True)
class Pattern:
    """What expansion needs besides the rule text; all dates are Europe/Berlin days."""

    rule: str
    first_date: datetime.date
    start_time: datetime.time
    until: datetime.date | None = None
    count: int | None = None


def build(pattern: Pattern) -> rrule:
    """The dateutil rule over naive local datetimes; raises ``ValidationError`` in German."""
    text = normalize(pattern.rule)
    dtstart = datetime.datetime.combine(pattern.first_date, pattern.start_time.replace(tzinfo=None))
    try:
        parsed = rrulestr(text, dtstart=dtstart)
    except (ValueError, TypeError, IndexError, KeyError):
        raise ValidationError(
            _("Die Regel „%(rule)s“ ist ungültig; Beispiel für eine gültige Regel: FREQ=MONTHLY;BYDAY=2TU.")
            % {"rule": text}
        ) from None
    if pattern.until is not None:
        parsed = parsed.replace(until=datetime.datetime.combine(pattern.until, datetime.time.max))
    if pattern.count is not None:
        parsed = parsed.replace(count=pattern.count)
    return parsed


def validate(pattern: Pattern) -> None:
    """Raise ``ValidationError`` (German) unless the pattern yields a first meeting soon enough."""
    parsed = build(pattern)
    dtstart = datetime.datetime.combine(pattern.first_date, datetime.time.min)
    first = parsed.after(dtstart, inc=True)
    if first is None:
        raise ValidationError(_("Nach dieser Regel gibt es keinen einzigen Termin; bitte Regel und Ende prüfen."))
    if first.date() > pattern.first_date.replace(year=pattern.first_date.year + FIRST_MEETING_WITHIN_YEARS):
        raise ValidationError(
            _("Der erste Termin nach dieser Regel läge erst am %(date)s; bitte die Regel prüfen.")
            % {"date": first.strftime("%d.%m.%Y")}
        )


def local_starts(pattern: Pattern, *, since: datetime.date, through: datetime.date) -> list[datetime.datetime]:
    """Naive local start times of the pattern on the days ``since`` … ``through`` (inclusive).

    Counting (``count``) always starts at ``first_date``, whatever ``since`` is. A rule
    yields at most one meeting per day, since repeating within a day is refused.
    """
    if through < since:
        return []
    parsed = build(pattern)
    return parsed.between(
        datetime.datetime.combine(since, datetime.time.min),
        datetime.datetime.combine(through, datetime.time.max),
        inc=True,
    )


def _ordinal(n: int) -> str:
    if n == -1:
        return _("letzten")
    if n == -2:
        return _("vorletzten")
    # Through the catalogue, as the form's choices: English says "2nd", not "2.".
    return {1: _("1."), 2: _("2."), 3: _("3."), 4: _("4.")}.get(n, f"{n}.")


def _join(items: list[str]) -> str:
    if len(items) <= 1:
        return "".join(items)
    return _("%(first)s und %(last)s") % {"first": ", ".join(items[:-1]), "last": items[-1]}


def _parse_byday(value: str) -> list[tuple[int | None, int]]:
    days = []
    for token in value.split(","):
        code = token[-2:]
        number = token[:-2]
        days.append((int(number) if number not in ("", "+") else None, WEEKDAY_CODES.index(code)))
    return days


def _time_span(start_time: datetime.time, duration_minutes: int) -> str:
    start = datetime.datetime.combine(datetime.date(2000, 1, 1), start_time.replace(tzinfo=None))
    end = start + datetime.timedelta(minutes=duration_minutes)
    span = _("%(start)s bis %(end)s Uhr") % {"start": start.strftime("%H:%M"), "end": end.strftime("%H:%M")}
    if end.date() != start.date():
        span = _("%(span)s (am Folgetag)") % {"span": span}
    return span


def rule_describe(
    rule: str,
    start_time: datetime.time,
    duration_minutes: int,
    *,
    first_date: datetime.date | None = None,
) -> str:
    """The rule in plain German, e.g. „jeden 2. Dienstag im Monat, 18:30 bis 20:00 Uhr“.

    ``first_date`` supplies the weekday or day of month a rule takes from its start (as in
    "FREQ=WEEKLY;INTERVAL=8"). Rules beyond the usual patterns fall back to their text.
    """
    parts = parse_parts(rule)
    return _("%(pattern)s, %(time)s") % {
        "pattern": _describe_pattern(parts, first_date),
        "time": _time_span(start_time, duration_minutes),
    }


def _describe_pattern(parts: dict[str, str], first_date: datetime.date | None) -> str:
    freq = parts["FREQ"]
    interval = int(parts.get("INTERVAL", "1"))
    names = weekday_names()
    try:
        byday = _parse_byday(parts["BYDAY"]) if "BYDAY" in parts else []
    except ValueError:
        return _("nach der Regel %(rule)s") % {"rule": normalize(";".join(f"{k}={v}" for k, v in parts.items()))}
    if "BYSETPOS" in parts and len(byday) == 1 and byday[0][0] is None and parts["BYSETPOS"].lstrip("-").isdigit():
        byday = [(int(parts["BYSETPOS"]), byday[0][1])]
    fallback = _("nach der Regel %(rule)s") % {"rule": ";".join(f"{k}={v}" for k, v in parts.items())}
    if "BYMONTH" in parts and freq != "YEARLY":
        return fallback

    if freq == "DAILY":
        if byday:
            return fallback
        return _("täglich") if interval == 1 else _("alle %(n)s Tage") % {"n": interval}

    if freq == "WEEKLY":
        if any(n is not None for n, _day in byday):
            return fallback
        days = [names[day] for _n, day in byday] or ([names[first_date.weekday()]] if first_date else [])
        if interval == 1:
            return _("jeden %(days)s") % {"days": _join(days)} if days else _("wöchentlich")
        if interval == 2 and days:
            return _("jeden zweiten %(days)s") % {"days": _join(days)}
        if days:
            return _("alle %(n)s Wochen am %(days)s") % {"n": interval, "days": _join(days)}
        return _("alle %(n)s Wochen") % {"n": interval}

    if freq == "MONTHLY":
        if byday and all(n is not None for n, _day in byday) and "BYMONTHDAY" not in parts:
            which = _join([f"{_ordinal(n)} {names[day]}" for n, day in byday])
        elif "BYMONTHDAY" in parts and not byday:
            days = parts["BYMONTHDAY"].split(",")
            if any(day.startswith("-") for day in days):
                return fallback
            which = _join([f"{int(day)}." for day in days])
        elif not byday and "BYMONTHDAY" not in parts and first_date is not None:
            which = f"{first_date.day}."
        else:
            return fallback
        if interval == 1:
            if byday:
                return _("jeden %(which)s im Monat") % {"which": which}
            return _("jeden Monat am %(which)s") % {"which": which}
        rhythm = {3: _("vierteljährlich"), 6: _("halbjährlich"), 12: _("jährlich")}.get(interval)
        if rhythm is None:
            rhythm = _("alle %(n)s Monate") % {"n": interval}
        return _("%(rhythm)s am %(which)s") % {"rhythm": rhythm, "which": which}

    # YEARLY
    if interval != 1 or byday:
        return fallback
    if "BYMONTH" in parts and "BYMONTHDAY" in parts and "," not in parts["BYMONTH"] + parts["BYMONTHDAY"]:
        month = int(parts["BYMONTH"])
        return _("jährlich am %(day)s. %(month)s") % {
            "day": int(parts["BYMONTHDAY"]),
            "month": month_names()[month - 1],
        }
    if "BYMONTH" not in parts and "BYMONTHDAY" not in parts and first_date is not None:
        return _("jährlich am %(day)s. %(month)s") % {
            "day": first_date.day,
            "month": month_names()[first_date.month - 1],
        }
    return fallback
