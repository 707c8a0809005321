"""Single-line text (contacts.text): invisible characters removed, control characters refused."""

import pytest
from django.core.exceptions import ValidationError
from rest_framework import serializers

from contacts.text import SingleLineField, SingleLineSerializerField, clean_single_line

BIDI_AND_ZERO_WIDTH = (
    "\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\u200e\u200f\u061c\u200b\u200c\u200d\u2060\ufeff"
)


def test_clean_single_line_removes_every_bidi_and_zero_width_character():
    assert clean_single_line(f" {BIDI_AND_ZERO_WIDTH}Stadtteil{BIDI_AND_ZERO_WIDTH}konferenz ") == "Stadtteilkonferenz"


@pytest.mark.parametrize("value", ["a\rb", "a\nb", "a\tb", "a\x00b", "a\x1bb", "a\x7fb", "a\x85b"])
def test_clean_single_line_refuses_control_characters_in_german(value):
    with pytest.raises(ValidationError) as raised:
        clean_single_line(value)

    assert raised.value.messages == ["Bitte ohne Zeilenumbrüche, Tabulatoren oder andere Steuerzeichen eingeben."]


def test_single_line_form_field_counts_the_cleaned_value():
    field = SingleLineField(max_length=5)

    assert field.clean("\u200b\u200bHallo\u202e") == "Hallo"


def test_single_line_form_field_of_only_invisible_characters_is_empty():
    with pytest.raises(ValidationError) as raised:
        SingleLineField().clean("\u200b\ufeff")

    assert raised.value.code == "required"


def test_single_line_serializer_field_refuses_a_line_break():
    class TitleSerializer(serializers.Serializer):
        title = SingleLineSerializerField(max_length=200)

    good = TitleSerializer(data={"title": "\u2066Sitzung\u2069"})
    bad = TitleSerializer(data={"title": "Sitzung\r\nBcc: x@example.org"})

    assert (good.is_valid(), good.validated_data["title"]) == (True, "Sitzung")
    assert (bad.is_valid(), bad.errors["title"][0].code) == (False, "control_characters")
