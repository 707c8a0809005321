"""Uploads are judged by their content: what Netzwerk keeps, what it refuses and how it
hands a file out again (meetings/uploads.py)."""

import io
import zipfile

import pytest
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile

from meetings import uploads

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32


def docx_bytes() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("word/document.xml", "<w:document/>")
    return buffer.getvalue()


@pytest.mark.parametrize(
    ("name", "content", "mime"),
    [
        ("einladung.pdf", b"%PDF-1.7\n...", "application/pdf"),
        ("plan.png", PNG, "image/png"),
        ("notiz.txt", "Grüße aus Eilendorf\n".encode(), "text/plain"),
        ("liste.csv", "Name;Straße\n".encode("latin-1"), "text/plain"),
        ("vorlage.docx", docx_bytes(), "application/vnd.openxmlformats-officedocument.wordprocessingml.document"),
    ],
)
def test_safe_files_are_recognised_by_content(name, content, mime):
    assert uploads.upload_type(SimpleUploadedFile(name, content)).mime == mime


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("einladung.pdf", b"MZ\x90\x00\x03" + b"\x00" * 64, "Diese Art von Datei nimmt Netzwerk nicht an"),
        ("einladung.pdf", b"<html><script>alert(1)</script></html>", "endet auf „.pdf“"),
        ("bild.png", b"%PDF-1.7\n", "ist aber eine Datei vom Typ „.pdf“"),
        ("archiv.zip", docx_bytes()[:0] + b"PK\x03\x04" + b"\x00" * 40, "Diese Art von Datei"),
        ("programm", b"\x7fELF\x02\x01\x01" + b"\x00" * 40, "Diese Art von Datei"),
        ("leer.pdf", b"", "Die Datei ist leer."),
    ],
)
def test_unsafe_or_misnamed_files_are_refused_with_a_reason(name, content, message):
    with pytest.raises(ValidationError) as refused:
        uploads.upload_type(SimpleUploadedFile(name, content))
    assert message in refused.value.messages[0]


def test_a_file_over_the_limit_is_refused_before_it_is_read():
    upload = SimpleUploadedFile("gross.pdf", b"%PDF" + b"x" * (1024 * 1024))
    with pytest.raises(ValidationError) as refused:
        uploads.upload_type(upload, max_bytes=1024 * 1024)
    assert refused.value.messages == ["Die Datei ist größer als 1 MB; bitte verkleinern oder als PDF speichern."]


def test_responses_show_pdf_inline_and_download_the_rest_never_sniffed(settings, tmp_path):
    from django.core.files.storage import FileSystemStorage

    storage = FileSystemStorage(location=tmp_path)
    pdf_name = storage.save("a.pdf", ContentFile(b"%PDF-1.7\n"))
    text_name = storage.save("b.txt", ContentFile(b"<b>nur Text</b>"))

    pdf = uploads.file_response(storage.open(pdf_name), file_name="Einladung.pdf")
    text = uploads.file_response(storage.open(text_name), file_name="b.txt")

    assert (pdf["Content-Type"], pdf["Content-Disposition"].split(";")[0]) == ("application/pdf", "inline")
    assert (text["Content-Type"], text["Content-Disposition"].split(";")[0]) == ("text/plain", "attachment")
    assert {pdf["X-Content-Type-Options"], text["X-Content-Type-Options"]} == {"nosniff"}
    assert pdf["Content-Security-Policy"].startswith("sandbox")
    # The files, not the responses: closing a response sends request_finished, which looks
    # at the database connection an earlier test left open, and this test has no database.
    pdf.file_to_stream.close()
    text.file_to_stream.close()
