from django.utils.translation import gettext as _
from django_filters.rest_framework import DjangoFilterBackend
from rest_framework.exceptions import ValidationError
from rest_framework.filters import OrderingFilter

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
        if filterset_class is None or not set(filterset_class.base_filters).intersection(request.query_params):
            # No filter asked for: a FilterSet would build its form and every filter only to
            # leave the queryset as it is (a filter without a value filters nothing).
            return queryset
        return super().filter_queryset(request, queryset, view)


class StrictOrderingFilter(OrderingFilter):
    """Like DRF's ``OrderingFilter``, but a field a list cannot be sorted by, or ``ordering``
    given twice, is a 400 that says what is possible (DRF drops unknown fields silently, and
    the client never learns why its order is not the one it asked for). The schema states
    the accepted values as a pattern."""

    def get_ordering(self, request, queryset, view):
        values = request.query_params.getlist(self.ordering_param)
        if not values or values == [""]:
            return self.get_default_ordering(view)
        if len(values) > 1:
            raise ValidationError(
                {self.ordering_param: [_("Bitte ordering nur einmal angeben; mehrere Felder mit Komma trennen.")]}
            )
        allowed = self._allowed(view, queryset=queryset, request=request)
        fields = [field.strip() for field in values[0].split(",")]
        unknown = [field for field in fields if field.removeprefix("-") not in allowed]
        if unknown:
            raise ValidationError(
                {
                    self.ordering_param: [
                        _("Nach „%(field)s“ kann nicht sortiert werden. Möglich: %(allowed)s (mit - davor absteigend).")
                        % {"field": unknown[0][:40], "allowed": ", ".join(sorted(allowed))}
                    ]
                }
            )
        return fields

    def _allowed(self, view, *, queryset=None, request=None) -> set[str]:
        fields = getattr(view, "ordering_fields", None)
        if isinstance(fields, list | tuple):
            return set(fields)
        return {name for name, _label in self.get_valid_fields(queryset, view, {"request": request})}

    def get_schema_operation_parameters(self, view):
        parameters = super().get_schema_operation_parameters(view)
        fields = getattr(view, "ordering_fields", None)
        if isinstance(fields, list | tuple) and fields:
            names = "|".join(sorted(fields))
            for parameter in parameters:
                parameter["schema"] = {"type": "string", "pattern": rf"^-?({names})(,-?({names}))*$"}
        return parameters
