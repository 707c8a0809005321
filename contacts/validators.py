"""Validators shared by the apps' models, forms and API for values people enter."""

import datetime

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

# Dates people enter lie in this range. Outside it, date arithmetic (a series' horizon) and
# databases (SQLite's datetime adapter) overflow, and Europe/Berlin before 1893 has a local
# mean time offset (+00:53:28) that RFC 3339 cannot express.
FIRST_YEAR = 1900
LAST_YEAR = 2200


def is_plausible_date(value: datetime.date | None) -> bool:
    """Whether ``value`` (a date or datetime) is empty or lies in the accepted years."""
    return value is None or FIRST_YEAR <= value.year <= LAST_YEAR


def validate_plausible_year(value: datetime.date) -> None:
    """Refuse dates and times before 1900 or after 2200 (German message)."""
    if not is_plausible_date(value):
        raise ValidationError(
            _("Bitte ein Datum zwischen den Jahren %(first)s und %(last)s angeben."),
            code="implausible_year",
            params={"first": FIRST_YEAR, "last": LAST_YEAR},
        )
