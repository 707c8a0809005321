"""Single-line text that people type: titles, names, subjects.

Such values end up in mail subjects and headers, in iCal SUMMARY lines and in page titles.
A line break there can inject a header or a calendar property; bidi controls and
zero-width characters make a title look different from what it is (after U+202E the rest
of a title reads backwards; two titles that look alike are different). So invisible
formatting characters are removed, and control characters (line breaks, tabs, NUL …) are
refused with a German message instead of being silently changed into something else.

``SingleLineField`` (forms) and ``SingleLineSerializerField`` (DRF) apply both at the
boundary; ``validate_single_line`` is the validator models carry for every other write
path (the admin, commands). ``JoinedLineField`` is for visitors' text that reaches a mail
header (the contact form's name and subject): it joins the lines with spaces instead of
refusing them, since a pasted subject should not cost a visitor their message.
"""

import unicodedata

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

# Bidi embeddings, overrides and isolates, the directional marks, the Arabic letter mark;
# zero-width space, (non-)joiner, word joiner and the byte order mark.
INVISIBLE_CHARACTERS = (
    "\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\u200e\u200f\u061c\u200b\u200c\u200d\u2060\ufeff"
)
_REMOVE_INVISIBLE = dict.fromkeys(map(ord, INVISIBLE_CHARACTERS))


def strip_invisible(value: str) -> str:
    """``value`` without bidi controls and zero-width characters."""
    return value.translate(_REMOVE_INVISIBLE)


def validate_single_line(value: str) -> None:
    """Refuse control characters (Unicode category Cc: line breaks, tabs, NUL, DEL …)."""
    if any(unicodedata.category(character) == "Cc" for character in value):
        raise ValidationError(
            _("Bitte ohne Zeilenumbrüche, Tabulatoren oder andere Steuerzeichen eingeben."),
            code="control_characters",
        )


def clean_single_line(value: str) -> str:
    """``value`` without invisible characters and surrounding spaces; refuses control characters."""
    value = strip_invisible(value).strip()
    validate_single_line(value)
    return value


class SingleLineField(forms.CharField):
    """A form field for a title or name: invisible characters removed, control characters refused."""

    default_validators = [validate_single_line]

    def to_python(self, value):
        value = super().to_python(value)
        return strip_invisible(value).strip() if self.strip else strip_invisible(value)


class SingleLineSerializerField(serializers.CharField):
    """The API's field for a title or name, with the same rules as ``SingleLineField``."""

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.validators.append(validate_single_line)

    def to_internal_value(self, data):
        value = strip_invisible(super().to_internal_value(data))
        return value.strip() if self.trim_whitespace else value


def join_lines(value: str) -> str:
    """``value`` without invisible characters, its control characters and line or paragraph
    separators turned into spaces and runs of white space collapsed: what may stand in a
    mail header."""
    spaced = "".join(
        " " if unicodedata.category(char) in ("Cc", "Zl", "Zp") else char for char in strip_invisible(value)
    )
    return " ".join(spaced.split())


class JoinedLineField(forms.CharField):
    """A form field for a visitor's name or subject that reaches a mail header: a line break
    there would fail the mail (``BadHeaderError``) or, unchecked, add a header."""

    def to_python(self, value):
        return join_lines(super().to_python(value))
