"""The demo's history: a few changes to the Stadtteilkonferenz Burtscheid by different people.

Sozialplanung changed the rhythm and the description weeks ago, the speaker put both right
again later, and a member institution's phone number changed; all through the
services, dated in the past and naming the demo accounts, so the Verlauf (the speakers'
page and the Verwaltung) shows who changed what. The entries end where ``demo.toml`` has
them, so the next seed finds nothing to correct. Made once: a second run sees the
speaker's version and changes nothing.
"""

import datetime

from contacts.history import history_made_by
from contacts.models import Institution, Network
from contacts.services.entries import institution_fields_update, network_fields_update
from netzwerk.demo.data import PLANNER, SPEAKER
from netzwerk.demo.directory import Directory
from netzwerk.demo.sync import SeedReport

NETWORK = "stk-burtscheid"


def history_seed(report: SeedReport, directory: Directory, *, now: datetime.datetime) -> None:
    """Write the demo's story of changes once (call inside the seed's transaction)."""
    network = directory.networks[NETWORK]
    speaker, planner = directory.users[SPEAKER.email], directory.users[PLANNER.email]
    if Network.history.filter(id=network.pk, history_user_id=speaker.pk).exists():
        return
    rhythm, description = network.rhythm, network.description
    days = datetime.timedelta(days=1)
    # The directory's rows are bulk-created (no versions): each entry of the story gets its
    # first version, as entered, so the changes below show what they changed.
    Network.history.bulk_history_create([network], default_date=now - 90 * days, default_user=planner)
    with history_made_by(user=planner, at=now - 62 * days):
        network_fields_update(network=network, rhythm="etwa alle zwei Monate, dienstags")
    with history_made_by(user=planner, at=now - 40 * days):
        network_fields_update(network=network, description=description.replace("viermal", "sechsmal"))
    with history_made_by(user=speaker, at=now - 19 * days):
        network_fields_update(network=network, rhythm=rhythm)
    with history_made_by(user=speaker, at=now - 19 * days + datetime.timedelta(minutes=3)):
        network_fields_update(network=network, description=description)
    member = network.memberships.filter(institution__isnull=False).select_related("institution").first()
    if member is not None:
        institution = member.institution
        phone = institution.phone
        if not institution.history.exists():
            Institution.history.bulk_history_create([institution], default_date=now - 90 * days, default_user=planner)
        with history_made_by(user=planner, at=now - 33 * days):
            institution_fields_update(institution=institution, phone="0241 9999-10")
        with history_made_by(user=speaker, at=now - 6 * days):
            institution_fields_update(institution=institution, phone=phone)
    report.changed["Verlauf"] += 1
