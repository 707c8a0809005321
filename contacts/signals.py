"""Signals the directory sends where a later app must act in the same transaction.

``contacts`` never imports the apps above it; where a change in the directory causes mail,
``notifications`` receives one of these.
"""

from django.dispatch import Signal

# A member left a network through „Mein Bereich“: person, network, memberships (the ended rows).
network_left = Signal()
