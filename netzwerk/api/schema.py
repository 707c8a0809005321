"""OpenAPI additions that apply to every operation: the one error shape and its status codes.

drf-spectacular documents what each view returns on success; the errors come from the
global exception handler, the strict filter backend, authentication and throttling, so
they are documented here once instead of on every view.
"""

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
