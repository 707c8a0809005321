"""OpenAPI additions that apply to every operation: the one error shape and its status codes.

drf-spectacular documents what each view returns on success; the errors come from the
global exception handler, the strict filter backend, authentication and throttling, so
they are documented here once instead of on every view.
"""

import re

from drf_spectacular import openapi
from rest_framework.permissions import SAFE_METHODS, IsAuthenticatedOrReadOnly


class AutoSchema(openapi.AutoSchema):
    """Public reads declare that a token or a session is optional (``{}`` among the
    security requirements). drf-spectacular does that only for the exact class
    ``IsAuthenticatedOrReadOnly``, not for the calendar's subclass of it, so the schema said
    every read of meetings, series, agenda items and polls needed a login, and a client
    generated from it would refuse to call them anonymously."""

    def get_auth(self):
        auths = super().get_auth()
        if {} in auths or self.method not in SAFE_METHODS:
            return auths
        permissions = self.view.get_permissions()
        needs_action_perm = getattr(self.view, "action_perms", {}).get(getattr(self.view, "action", None))
        if permissions and all(isinstance(p, IsAuthenticatedOrReadOnly) for p in permissions) and not needs_action_perm:
            auths.append({})
        return auths


ERROR_COMPONENT = "Fehler"

ERROR_SCHEMA = {
    "type": "object",
    "description": (
        "Ein Fehler mit deutscher Meldung. `detail` erklärt den Fehler; bei ungültigen Eingaben "
        "steht zu jedem betroffenen Feld eine Liste von Meldungen unter dem Feldnamen."
    ),
    "properties": {
        "detail": {
            "oneOf": [
                {"type": "string"},
                {"type": "array", "items": {"type": "string"}},
            ],
            "description": "Die Meldung (oder mehrere), auf Deutsch.",
        },
    },
    "additionalProperties": {
        "description": "Meldungen zu einem Feld (Feldname als Schlüssel).",
    },
    "example": {"detail": "Unbekannter Filter: knd. Erlaubt sind: format, kind, ordering, page, page_size."},
}

ERROR_RESPONSES = {
    "400": "Ungültige Eingabe oder unbekannter Filter; die Meldung sagt, was zu korrigieren ist.",
    "401": "Anmeldung nötig, oder der angegebene Token ist ungültig.",
    "403": "Keine Berechtigung für diese Aktion (oder CSRF-Token fehlt bei Sitzungsanmeldung).",
    "404": "Nicht gefunden (auch: unbekannte Kennung oder ungültige Seite).",
    "429": "Zu viele Anfragen; `Retry-After` nennt die Wartezeit in Sekunden.",
}
# Answered by the web server in front of the application, not by it: no JSON body.
SERVER_RESPONSES = {"414": "Adresse zu lang (vom Webserver abgelehnt, mehr als etwa 4.000 Zeichen)."}
# The one operation whose query parameters are not list filters.
SEARCH_PATH = "/api/v1/search/"


def add_error_responses(result, generator, request, public):
    """Postprocessing hook: every operation documents 400/401/403/404/429 with ``Fehler``."""
    components = result.setdefault("components", {}).setdefault("schemas", {})
    components[ERROR_COMPONENT] = ERROR_SCHEMA
    reference = {"$ref": f"#/components/schemas/{ERROR_COMPONENT}"}
    for path_item in result.get("paths", {}).values():
        for method, operation in path_item.items():
            if method not in {"get", "post", "put", "patch", "delete"}:
                continue
            responses = operation.setdefault("responses", {})
            for code, description in ERROR_RESPONSES.items():
                # A view may word its own description of an error; the shape is always this one.
                response = responses.setdefault(code, {"description": description})
                response["content"] = {"application/json": {"schema": reference}}
            for code, description in SERVER_RESPONSES.items():
                responses.setdefault(code, {"description": description})
            if "429" in responses:
                responses["429"].setdefault(
                    "headers",
                    {
                        "Retry-After": {
                            "schema": {"type": "integer"},
                            "description": "Sekunden bis zur nächsten Anfrage",
                        }
                    },
                )
    return result


def _empty_is_invalid(parameter: dict) -> bool:
    """Whether the parameter's schema alone would refuse an empty value: a number, a
    boolean, a choice, a date, alone or as the items of a repeatable parameter. (A plain
    string accepts "" anyway.)"""
    schema = parameter.get("schema", {})
    if schema.get("type") == "array":
        schema = schema.get("items", {})
    if schema.get("type") != "string" or "format" in schema or schema.get("minLength", 0) > 0:
        return True
    if "enum" in schema:
        return "" not in schema["enum"]
    return "pattern" in schema and re.search(schema["pattern"], "") is None


def allow_empty_filters(result, generator, request, public):
    """Postprocessing hook: an optional list filter given empty (``?kind=&area=``, as an HTML
    filter form sends it) is no filter, so the schema says ``allowEmptyValue`` where its
    type would otherwise forbid the empty value."""
    for path, path_item in result.get("paths", {}).items():
        if path == SEARCH_PATH or "get" not in path_item:
            continue
        for parameter in path_item["get"].get("parameters", []):
            if parameter.get("in") == "query" and not parameter.get("required") and _empty_is_invalid(parameter):
                parameter["allowEmptyValue"] = True
    return result
