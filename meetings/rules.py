"""Permissions on a network's calendar, built from the directory's predicates.

The object is a network or a meeting. A joint meeting belongs to its host and to each
partner network, so the speakers of any of them may change it and the members of any of
them see its internal parts and answer (``Meeting.network_ids``).
"""

import rules

from contacts.rules import is_sozialplanung, may_manage_network, may_see_network_internals
from contacts.selectors import user_roles


def _network_ids(obj) -> frozenset[int]:
    return obj.network_ids if hasattr(obj, "network_ids") else frozenset()


@rules.predicate
def leads_meeting(user, meeting) -> bool:
    """Sprecher*in, Stellvertretung or Geschäftsführung of a network the meeting belongs to."""
    return bool(_network_ids(meeting) & set(user_roles(user).leading_network_ids))


@rules.predicate
def is_meeting_member(user, meeting) -> bool:
    """An active member of a network the meeting belongs to."""
    return bool(_network_ids(meeting) & set(user_roles(user).member_network_ids))


@rules.predicate
def is_meeting(user, obj) -> bool:
    return hasattr(obj, "network_ids")


may_manage = (is_meeting & (is_sozialplanung | leads_meeting)) | (~is_meeting & may_manage_network)
may_see_internals = (is_meeting & (is_sozialplanung | is_meeting_member)) | (~is_meeting & may_see_network_internals)

# Meetings, series, agendas, minutes and polls of a network (or one meeting of it).
rules.add_perm("meetings.manage_meetings", may_manage)
# Internal meetings, agendas and minutes; answering and voting.
rules.add_perm("meetings.view_internal_meetings", may_see_internals)
rules.add_perm("meetings.answer_meetings", may_see_internals)
