from django.utils.translation import gettext as _
from django_filters.rest_framework import DjangoFilterBackend
from rest_framework.exceptions import ValidationError

# Parameters every list understands besides its FilterSet's own.
GENERAL_PARAMETERS = {"page", "page_size", "ordering", "format"}


class StrictFilterBackend(DjangoFilterBackend):
    """Like django-filter's backend, but an unknown parameter is a 400, not silently ignored.

    A client that misspells ``knd=stk`` would otherwise get every network and never learn why.
    """

    def filter_queryset(self, request, queryset, view):
        filterset_class = self.get_filterset_class(view, queryset)
        known = set(GENERAL_PARAMETERS)
        if filterset_class is not None:
            known |= set(filterset_class.base_filters)
        unknown = sorted(set(request.query_params) - known)
        if unknown:
            raise ValidationError(
                {
                    "detail": _("Unbekannter Filter: %(names)s. Erlaubt sind: %(allowed)s.")
                    % {"names": ", ".join(unknown), "allowed": ", ".join(sorted(known))}
                }
            )
        return super().filter_queryset(request, queryset, view)
