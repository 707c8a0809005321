"""JSON errors with a German ``detail`` for every client mistake, never an HTML 500 page."""

from django.core.exceptions import NON_FIELD_ERRORS
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404
from rest_framework import exceptions
from rest_framework.views import exception_handler as drf_exception_handler


def exception_handler(exc, context):
    if isinstance(exc, DjangoValidationError):
        detail = dict(exc.message_dict) if hasattr(exc, "error_dict") else {"detail": exc.messages}
        # Errors of the whole object ("__all__") are the general message, like every other 400.
        if NON_FIELD_ERRORS in detail:
            detail["detail"] = detail.pop(NON_FIELD_ERRORS)
        exc = exceptions.ValidationError(detail)
    elif isinstance(exc, Http404):
        # Django's message names the model in English ("No Meeting matches the given query.").
        exc = exceptions.NotFound()
    return drf_exception_handler(exc, context)
