"""Permissions on a network's calendar, built from the directory's predicates."""

import rules

from contacts.rules import may_manage_network, may_see_network_internals

# Meetings, series, agendas, minutes and polls of a network.
rules.add_perm("meetings.manage_meetings", may_manage_network)
# Internal meetings, agendas and minutes; answering and voting.
rules.add_perm("meetings.view_internal_meetings", may_see_network_internals)
rules.add_perm("meetings.answer_meetings", may_see_network_internals)
