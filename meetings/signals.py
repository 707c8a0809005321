"""Signals the calendar sends where a later app must act in the same transaction.

``meetings`` never imports ``notifications``; where a write in the calendar owes mail at
once (a guest waits for the confirmation of a registration), ``notifications`` receives one
of these. The sweep would find the same mail a minute later: the signal only makes it quick.
"""

from django.dispatch import Signal

# Guests registered or moved up from the waiting list: registration_ids (a list of ints),
# now (the moment of the write).
guests_changed = Signal()
