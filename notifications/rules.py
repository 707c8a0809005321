"""Permissions on a network's mail, built from the directory's predicates."""

import rules

from contacts.rules import may_manage_network, may_see_network_internals

# Write a Rundmail to the network's members, schedule, withdraw; decide on proposals.
rules.add_perm("notifications.send_rundmail", may_manage_network)
# Propose a Rundmail (an event of one's institution); read the archive of past Rundmails.
rules.add_perm("notifications.propose_rundmail", may_see_network_internals)
rules.add_perm("notifications.read_rundmails", may_see_network_internals)
