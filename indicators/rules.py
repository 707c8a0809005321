"""Who may change the figures: Sozialplanung, as for every city-wide import."""

import rules

from contacts.rules import is_sozialplanung

rules.add_perm("indicators.import_values", is_sozialplanung)
