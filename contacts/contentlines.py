"""Content lines of iCalendar (RFC 5545 §3.1, §3.3.11) and vCard (RFC 6350 §3.2, §3.4):
one escaping of TEXT values and one folding, shared by ``meetings.ical`` and
``contacts.vcard``. Pure: strings in, strings or bytes out.
"""

CRLF = b"\r\n"
# A content line SHOULD NOT be longer than 75 octets, excluding the CRLF. Octets, not
# characters: an umlaut is two octets, an emoji four, and clients that read byte-wise
# (Outlook among them) reject or mangle longer lines.
LINE_OCTETS = 75

# Escaping of TEXT values: backslash, semicolon, comma and line breaks. Every line break
# Python's str.splitlines() knows becomes one "\n" escape, so no parser (Python-based ones
# split on U+2028 and friends) can see a line end inside a value. The other control
# characters are not allowed in TEXT at all and are dropped; a tab is.
_LINE_BREAKS = "\n\r\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029"
_TEXT_TABLE: dict[int, str | None] = {
    **dict.fromkeys([*range(0x00, 0x20), 0x7F, *range(0x80, 0xA0)]),
    **{ord(char): "\\n" for char in _LINE_BREAKS},
    ord("\t"): "\t",
    ord("\\"): "\\\\",
    ord(";"): "\\;",
    ord(","): "\\,",
}


def text_escape(value: str) -> str:
    """``value`` as an escaped TEXT value (a CRLF pair is one line break)."""
    return value.replace("\r\n", "\n").translate(_TEXT_TABLE)


def line_fold(line: str) -> bytes:
    """One content line as UTF-8, folded at 75 octets, with its CRLF.

    Folds are placed by octets and moved left so that they never split a UTF-8 sequence
    (clients that decode line by line would show U+FFFD) nor an escape such as ``\\n`` or
    ``\\,`` (some clients unfold after unescaping and would then show a stray backslash).
    A continuation line starts with one space, which counts.
    """
    raw = line.encode("utf-8", "replace")
    if len(raw) <= LINE_OCTETS:
        return raw + CRLF
    parts = []
    begin = 0
    limit = LINE_OCTETS
    while len(raw) - begin > limit:
        cut = begin + limit
        while raw[cut] & 0xC0 == 0x80:  # a UTF-8 continuation byte: step back to the lead
            cut -= 1
        # Escapes are pairs starting with a backslash, and every part starts on a pair
        # boundary, so an odd run of backslashes before the cut means it splits a pair.
        backslashes = 0
        while cut - backslashes - 1 >= begin and raw[cut - backslashes - 1] == 0x5C:
            backslashes += 1
        if backslashes % 2:
            cut -= 1
        parts.append(raw[begin:cut])
        begin = cut
        limit = LINE_OCTETS - 1
    parts.append(raw[begin:])
    return b"\r\n ".join(parts) + CRLF
