"""Which uploaded files Netzwerk keeps, and how it hands them out again.

A file is judged by its content, never by its name: the first bytes say what it is
(``filetype`` reads the magic numbers of PDF, the Office and OpenDocument formats and
images), and only plain text, which has no magic number, is recognised by decoding.
The name must then agree with the content, so that an HTML page or a program renamed
``.pdf`` is refused with a message that says so. Every file goes back out through a view
that checked permissions first, as a download — inline only for PDF and images, which
browsers show without running anything — and with ``nosniff``, so no browser second-guesses
the type we checked.

Minutes, meeting documents and the attachments of a Rundmail all pass here.
"""

import dataclasses

import filetype
from django.core.exceptions import ValidationError
from django.http import FileResponse
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext_lazy as _

# 10 MB: enough for a scanned invitation or a presentation, small enough to attach to mail.
UPLOAD_MAX_BYTES = 10 * 1024 * 1024

# How much of the file is read to tell its type: the Office formats put the name of their
# main part within the first few kilobytes of the ZIP container.
_HEAD_BYTES = 8192


@dataclasses.dataclass(frozen=True)
class SafeType:
    mime: str
    # Names a file of this content may have (lower case, without the dot).
    extensions: tuple[str, ...]
    # Shown in the browser rather than downloaded: only formats that cannot run scripts there.
    inline: bool = False


SAFE_TYPES = {
    safe.mime: safe
    for safe in (
        SafeType("application/pdf", ("pdf",), inline=True),
        SafeType("image/png", ("png",), inline=True),
        SafeType("image/jpeg", ("jpg", "jpeg"), inline=True),
        SafeType("image/gif", ("gif",), inline=True),
        SafeType("image/webp", ("webp",), inline=True),
        SafeType("application/msword", ("doc",)),
        SafeType("application/vnd.ms-excel", ("xls",)),
        SafeType("application/vnd.ms-powerpoint", ("ppt", "pps")),
        SafeType("application/vnd.openxmlformats-officedocument.wordprocessingml.document", ("docx",)),
        SafeType("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", ("xlsx",)),
        SafeType("application/vnd.openxmlformats-officedocument.presentationml.presentation", ("pptx",)),
        SafeType("application/vnd.oasis.opendocument.text", ("odt",)),
        SafeType("application/vnd.oasis.opendocument.spreadsheet", ("ods",)),
        SafeType("application/vnd.oasis.opendocument.presentation", ("odp",)),
        SafeType("application/rtf", ("rtf",)),
        SafeType("text/plain", ("txt", "csv", "md")),
    )
}

# The old Office formats share one container (OLE2); ``filetype`` may name any of the three
# for any of them, so the name decides between them once the container is known.
_OLE_TYPES = ("application/msword", "application/vnd.ms-excel", "application/vnd.ms-powerpoint")

ALLOWED_EXTENSIONS = tuple(sorted({extension for safe in SAFE_TYPES.values() for extension in safe.extensions}))


def allowed_types_text() -> str:
    """For help texts: „PDF, Word, Excel, PowerPoint, OpenDocument, Bilder oder Text“."""
    return str(_("PDF, Word, Excel, PowerPoint, OpenDocument, Bilder (PNG, JPEG, GIF, WebP) oder reiner Text"))


# One word per type for lists („Einladung (PDF, 120 KB)“).
_TYPE_LABELS = {
    "application/pdf": "PDF",
    "application/msword": "Word",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document": "Word",
    "application/vnd.ms-excel": "Excel",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": "Excel",
    "application/vnd.ms-powerpoint": "PowerPoint",
    "application/vnd.openxmlformats-officedocument.presentationml.presentation": "PowerPoint",
    "application/vnd.oasis.opendocument.text": "OpenDocument-Text",
    "application/vnd.oasis.opendocument.spreadsheet": "OpenDocument-Tabelle",
    "application/vnd.oasis.opendocument.presentation": "OpenDocument-Präsentation",
    "application/rtf": "RTF",
}


def type_label(mime: str) -> str:
    """„PDF“, „Word“, „Bild (PNG)“, „Text“: the kind of a file in one or two words."""
    if mime.startswith("image/"):
        return str(_("Bild (%(format)s)") % {"format": mime.removeprefix("image/").upper()})
    if mime == "text/plain":
        return str(_("Text"))
    return _TYPE_LABELS.get(mime, mime)


def size_text(size: int) -> str:
    """„820 Bytes“, „120 KB“, „2,4 MB“ (German decimal comma via the active language)."""
    return str(filesizeformat(size))


def _extension(name: str) -> str:
    return name.rsplit(".", 1)[-1].lower() if "." in name else ""


def _is_plain_text(upload) -> bool:
    """UTF-8 (or Latin-1 without control characters) and no NUL byte anywhere."""
    upload.seek(0)
    content = upload.read()
    upload.seek(0)
    if b"\x00" in content:
        return False
    try:
        content.decode("utf-8")
    except UnicodeDecodeError:
        text = content.decode("latin-1")
        return not any(ord(character) < 32 and character not in "\t\r\n\f" for character in text)
    return True


def upload_type(upload, *, max_bytes: int = UPLOAD_MAX_BYTES) -> SafeType:
    """The safe type of ``upload``, or a ``ValidationError`` that says what to do instead.

    ``upload`` is any Django ``File`` (an ``UploadedFile`` from a form or the API).
    """
    size = upload.size
    if size > max_bytes:
        raise ValidationError(
            _("Die Datei ist größer als %(megabytes)d MB; bitte verkleinern oder als PDF speichern.")
            % {"megabytes": max_bytes // (1024 * 1024)},
            code="too_large",
        )
    if size == 0:
        raise ValidationError(_("Die Datei ist leer."), code="empty")
    upload.seek(0)
    head = upload.read(_HEAD_BYTES)
    upload.seek(0)
    kind = filetype.guess(head)
    extension = _extension(upload.name or "")
    if kind is None:
        safe = SAFE_TYPES["text/plain"] if _is_plain_text(upload) else None
    elif kind.mime in _OLE_TYPES:
        safe = next((SAFE_TYPES[mime] for mime in _OLE_TYPES if extension in SAFE_TYPES[mime].extensions), None)
        safe = safe or SAFE_TYPES[kind.mime]
    else:
        safe = SAFE_TYPES.get(kind.mime)
    if safe is None:
        raise ValidationError(
            _("Diese Art von Datei nimmt Netzwerk nicht an. Erlaubt sind: %(types)s.")
            % {"types": allowed_types_text()},
            code="forbidden_type",
        )
    if extension not in safe.extensions:
        raise ValidationError(
            _(
                "Der Name der Datei passt nicht zu ihrem Inhalt: sie endet auf „.%(extension)s“, "
                "ist aber eine Datei vom Typ „%(expected)s“. Bitte mit der passenden Endung hochladen."
            )
            % {"extension": extension or "–", "expected": "." + safe.extensions[0]},
            code="name_mismatch",
        )
    return safe


def validate_upload(upload) -> None:
    """A field validator: refuses what ``upload_type`` refuses. A file already stored passed
    this check when it came; one that storage cannot read any more is left alone."""
    if getattr(upload, "_committed", False):
        # The FieldFile of a row already saved, not a new upload.
        return
    try:
        upload_type(upload)
    except OSError:
        return


def file_response(field_file, *, file_name: str) -> FileResponse:
    """The stored file, as a download (PDF and images inline), never sniffed by the browser.

    The type is decided again from the content, so a row written before this check cannot
    make a browser run something.
    """
    handle = field_file.open("rb")
    try:
        safe = upload_type(handle, max_bytes=max(UPLOAD_MAX_BYTES, handle.size))
    except ValidationError:
        safe = None
    handle.seek(0)
    response = FileResponse(
        handle,
        as_attachment=not (safe and safe.inline),
        filename=file_name,
        content_type=safe.mime if safe else "application/octet-stream",
    )
    response["X-Content-Type-Options"] = "nosniff"
    # Even shown inline, the file is its own sandboxed document: no script, no form, no
    # access to the site's cookies.
    response["Content-Security-Policy"] = "sandbox; default-src 'none'; img-src 'self'; style-src 'unsafe-inline'"
    return response
