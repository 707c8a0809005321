"""Pages for paper as PDF: the same body as the print page, laid out by WeasyPrint.

WeasyPrint fetches nothing here: the document carries no images, and its style sheets are
read from the static files on disk (``finders``), not over HTTP.
"""

from django.contrib.staticfiles import finders
from django.http import HttpResponse
from django.template.loader import render_to_string

STYLESHEETS = ("meetings/print-document.css",)


def pdf_bytes(request, *, template: str, context: dict) -> bytes:
    """``template`` rendered for ``request`` and laid out as PDF (A4, page numbers)."""
    from weasyprint import CSS, HTML

    html = render_to_string(template, context, request)
    stylesheets = [CSS(filename=finders.find(name)) for name in STYLESHEETS]
    return HTML(string=html, base_url=request.build_absolute_uri("/")).write_pdf(stylesheets=stylesheets)


def pdf_response(request, *, template: str, context: dict, filename: str) -> HttpResponse:
    """The PDF as a download named ``filename``."""
    response = HttpResponse(pdf_bytes(request, template=template, context=context), content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["X-Content-Type-Options"] = "nosniff"
    return response
