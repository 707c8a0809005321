"""Where institutions are: the coordinates the map of the areas draws them at."""

import decimal
import logging

from django.db import transaction

from contacts.models import Institution

logger = logging.getLogger(__name__)

COORDINATE_PLACES = decimal.Decimal("0.000001")


def _coordinate(value) -> decimal.Decimal | None:
    if value is None or value == "":
        return None
    return decimal.Decimal(str(value)).quantize(COORDINATE_PLACES, rounding=decimal.ROUND_HALF_EVEN)


@transaction.atomic
def institution_coordinates_set(*, institution: Institution, latitude, longitude) -> bool:
    """Set (or, with both ``None``, clear) where ``institution`` is, in WGS 84 degrees.

    Validated as the model validates (both or none, within range); a value equal to the
    stored one writes nothing. Returns whether it wrote. Side effects: saves
    ``latitude``, ``longitude`` and ``updated_at`` of the institution.
    """
    latitude, longitude = _coordinate(latitude), _coordinate(longitude)
    if (institution.latitude, institution.longitude) == (latitude, longitude):
        return False
    institution.latitude, institution.longitude = latitude, longitude
    institution.full_clean()
    institution.save(update_fields=["latitude", "longitude", "updated_at"])
    logger.info("Institution %s placed at %s, %s", institution.pk, latitude, longitude)
    return True
