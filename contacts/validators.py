"""Validators shared by the apps' models, forms and API for values people enter."""

import datetime
import re

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


# A German phone number as people write it: an optional +49 or a leading 0, then digits with
# spaces, slashes, hyphens or brackets between them; 6 to 15 digits in all (E.164 allows 15).
PHONE_PATTERN = re.compile(r"^(\+\d{1,3}[ \-/]?|0)[\d \-/()]+$")


def validate_phone(value: str) -> None:
    """Refuse what cannot be dialled: letters, too few or too many digits (German message)."""
    digits = sum(character.isdigit() for character in value)
    if not PHONE_PATTERN.match(value) or not 6 <= digits <= 15:
        raise ValidationError(
            _("„%(value)s“ ist keine Telefonnummer. Bitte mit Vorwahl angeben, z. B. 0241 432-0 oder +49 241 432-0."),
            code="invalid_phone",
            params={"value": value},
        )


def validate_postal_code(value: str) -> None:
    """A German postcode: five digits (Aachen's are 52062–52080, but any German one is
    accepted, as institutions outside the city serve it too)."""
    if not (len(value) == 5 and value.isdigit() and value != "00000"):
        raise ValidationError(
            _("„%(value)s“ ist keine Postleitzahl. Eine deutsche Postleitzahl hat fünf Ziffern, z. B. 52062."),
            code="invalid_postal_code",
            params={"value": value},
        )
