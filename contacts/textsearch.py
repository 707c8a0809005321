"""Search text folded the way users type: case, umlauts and ß do not matter.

``fold`` is the one definition. The database computes the same value through a function
named ``netzwerk_fold``: on SQLite it is this Python function, registered on every new
connection; on PostgreSQL an SQL function built from the same table, created by the
migration ``contacts.0006_street_search`` (only IMMUTABLE built-ins, so PostgreSQL inlines
it into queries and it can back an expression index; unaccent is only STABLE). Both sides
of a comparison are always folded, so "Kornelimunster", "Kornelimuenster" and
"KORNELIMÜNSTER" all become "kornelimunster", and "Strasse" and "Straße" both "strase".
"""

import re

from django.db.models import F, Func, TextField, Value
from django.db.models.functions import Concat

FOLD_FUNCTION = "netzwerk_fold"

# Letters with diacritics (Latin-1 and Latin Extended-A: German, Turkish, Polish, Czech, …)
# and their base letters, one to one; the same table drives the SQL twin, so both agree.
FOLD_FROM = (
    "ÀÁÂÃÄÅĀĂĄàáâãäåāăąÇĆĈĊČçćĉċčĎĐďđÈÉÊËĒĔĖĘĚèéêëēĕėęěĜĞĠĢĝğġģĤĦ"
    "ĥħÌÍÎÏĨĪĬĮİìíîïĩīĭįıĴĵĶķĹĻĽĿŁĺļľŀłÑŃŅŇñńņňÒÓÔÕÖØŌŎŐòóôõöøōŏő"
    "ŔŖŘŕŗřŚŜŞŠśŝşšŢŤŦţťŧÙÚÛÜŨŪŬŮŰŲùúûüũūŭůűųŴŵÝŸŶýÿŷŹŻŽźżž"
)
FOLD_TO = (
    "aaaaaaaaaaaaaaaaaaccccccccccddddeeeeeeeeeeeeeeeeeegggggggghh"
    "hhiiiiiiiiiiiiiiiiiijjkkllllllllllnnnnnnnnoooooooooooooooooo"
    "rrrrrrssssssssttttttuuuuuuuuuuuuuuuuuuuuwwyyyyyyzzzzzz"
)
# Letters that become two.
_MULTI = (("ß", "ss"), ("ẞ", "ss"), ("Æ", "ae"), ("æ", "ae"), ("Œ", "oe"), ("œ", "oe"))
# Spelled-out umlauts fold to the plain vowel, as the dotted ones do ("ue" and "ü" → "u");
# "ss" folds to "s" so that "Strasse" and "Straße" meet.
_SPELLED = (("ae", "a"), ("oe", "o"), ("ue", "u"), ("ss", "s"))
_TABLE = str.maketrans(FOLD_FROM, FOLD_TO)
_WORD = re.compile(r"\w+")


def fold(text: str | None) -> str | None:
    """``text`` in lower case without accents, umlauts and ß (``None`` stays ``None``)."""
    if text is None:
        return None
    text = text.translate(_TABLE)
    for letter, letters in _MULTI:
        text = text.replace(letter, letters)
    text = text.lower()
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


def spaced(*fields: str) -> Concat:
    """The fields joined by single spaces, as one text expression."""
    parts: list = []
    for position, name in enumerate(fields):
        if position:
            parts.append(Value(" "))
        parts.append(F(name))
    return Concat(*parts, output_field=TextField())


class Fold(Func):
    """``netzwerk_fold(expression)`` in SQL: the database's ``fold``."""

    function = FOLD_FUNCTION
    output_field = TextField()


def sqlite_fold_register(sender, connection, **kwargs) -> None:
    """Give a new SQLite connection the ``netzwerk_fold`` function (``connection_created``)."""
    if connection.vendor == "sqlite":
        connection.connection.create_function(FOLD_FUNCTION, 1, fold, deterministic=True)
