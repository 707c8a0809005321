"""Who may do what: the one place where object-level permissions are decided.

Later apps ask ``user.has_perm("meetings.manage_meetings", network)`` and never test roles
themselves. Roles are derived from active memberships (see ``selectors.user_roles``).
"""

import rules

from contacts.selectors import user_roles


@rules.predicate
def is_sozialplanung(user) -> bool:
    return user_roles(user).is_sozialplanung


@rules.predicate
def leads_network(user, network) -> bool:
    """Sprecher*in, Stellvertretung or Geschäftsführung of ``network`` today."""
    return network is not None and network.pk in user_roles(user).leading_network_ids


@rules.predicate
def is_network_member(user, network) -> bool:
    """An active member of ``network`` in any role."""
    return network is not None and network.pk in user_roles(user).member_network_ids


@rules.predicate
def represents_institution(user, institution) -> bool:
    """Works at ``institution`` or represents it in a current membership."""
    from contacts.selectors.freshness import represents_institution as represents

    return represents(user, institution)


may_manage_network = is_sozialplanung | leads_network
may_see_network_internals = is_sozialplanung | is_network_member

# Directory data of a network: description, member list, speaker team.
rules.add_perm("contacts.manage_network", may_manage_network)
rules.add_perm("contacts.view_network_internals", may_see_network_internals)
# City-wide work: people, consents, imports, account invitations.
rules.add_perm("contacts.manage_directory", is_sozialplanung)
rules.add_perm("contacts.invite_account", is_sozialplanung)
# An institution's entry (address, phone, opening hours, accessibility): changes apply at once.
rules.add_perm("contacts.maintain_institution", is_sozialplanung | represents_institution)
# The stale entries and the proposals waiting for review.
rules.add_perm("contacts.review_entries", is_sozialplanung)
