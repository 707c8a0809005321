"""Search text folded the way users type: case, umlauts and ß do not matter.

``fold`` is the one definition. The database computes the same value through a function
named ``netzwerk_fold``: on SQLite it is this Python function, registered on every new
connection; on PostgreSQL an SQL function over ``unaccent`` created by the migration
``contacts.0006_street_search``. Both sides of a comparison are always folded, so
"Kornelimunster", "Kornelimuenster" and "KORNELIMÜNSTER" all become "kornelimunster", and
"Strasse" and "Straße" both become "strase".
"""

import re
import unicodedata

from django.db.models import Func, TextField

FOLD_FUNCTION = "netzwerk_fold"

# Letters that do not decompose into a base letter and a mark, as PostgreSQL's unaccent
# rules spell them.
_LIGATURES = str.maketrans({"ß": "ss", "æ": "ae", "œ": "oe", "ø": "o", "ł": "l", "đ": "d", "ı": "i"})
# Spelled-out umlauts fold to the plain vowel, as the dotted ones do ("ue" and "ü" → "u");
# "ss" folds to "s" so that "Strasse" and "Straße" meet.
_SPELLED = (("ae", "a"), ("oe", "o"), ("ue", "u"), ("ss", "s"))
_WORD = re.compile(r"\w+")

# The PostgreSQL twin of ``fold``; IMMUTABLE so it can back an expression index (unaccent
# itself is only STABLE because its dictionary could change, which this project never does).
POSTGRES_FOLD_SQL = f"""
CREATE OR REPLACE FUNCTION {FOLD_FUNCTION}(text) RETURNS text
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS $$
  SELECT replace(replace(replace(replace(
    lower(public.unaccent('public.unaccent'::regdictionary, $1)),
    'ae', 'a'), 'oe', 'o'), 'ue', 'u'), 'ss', 's')
$$;
"""


def fold(text: str | None) -> str | None:
    """``text`` in lower case without accents, umlauts and ß (``None`` stays ``None``)."""
    if text is None:
        return None
    text = text.lower().translate(_LIGATURES)
    text = "".join(c for c in unicodedata.normalize("NFKD", text) if not unicodedata.combining(c))
    for spelled, plain in _SPELLED:
        text = text.replace(spelled, plain)
    return text


def fold_words(text: str, *, limit: int = 8) -> list[str]:
    """The folded words of a query, at most ``limit`` of them, without duplicates."""
    words: list[str] = []
    for word in _WORD.findall(fold(text) or ""):
        if word not in words:
            words.append(word)
    return words[:limit]


class Fold(Func):
    """``netzwerk_fold(expression)`` in SQL: the database's ``fold``."""

    function = FOLD_FUNCTION
    output_field = TextField()


def sqlite_fold_register(sender, connection, **kwargs) -> None:
    """Give a new SQLite connection the ``netzwerk_fold`` function (``connection_created``)."""
    if connection.vendor == "sqlite":
        connection.connection.create_function(FOLD_FUNCTION, 1, fold, deterministic=True)
