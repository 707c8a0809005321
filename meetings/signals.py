"""Signals the calendar sends where an app above it must know of a change.

``meetings`` never imports the apps above it. A bulk ``update()`` or ``bulk_create`` sends no
``post_save``; the services that write meetings in bulk send ``meetings_written`` instead, so
that whoever shows the calendar (the public page cache in ``netzwerk``) learns which
networks' meetings changed. Where a write in the calendar owes mail at once (a guest waits
for the confirmation of a registration), ``notifications`` receives ``guests_changed``; the
sweep would find the same mail a minute later: the signal only makes it quick.
"""

from django.dispatch import Signal

# Meetings were created or changed without post_save: network_ids (the networks whose
# meetings changed) or meeting_ids (the meetings), each a set of ints; optionally networks,
# those of network_ids already loaded (Network rows), so that receivers need not look them up.
meetings_written = Signal()

# Guests registered or moved up from the waiting list: registration_ids (a list of ints),
# now (the moment of the write).
guests_changed = Signal()
