"""The OpenAPI schema: generated without a warning, every path listed, errors documented."""

import pytest
from django.core.management import call_command

pytestmark = pytest.mark.django_db

PATHS = {
    "/api/v1/agenda-items/": {"get", "post"},
    "/api/v1/agenda-items/{id}/": {"get", "patch", "delete"},
    "/api/v1/areas/": {"get"},
    "/api/v1/areas/{id}/": {"get"},
    "/api/v1/institutions/": {"get"},
    "/api/v1/institutions/{slug}/": {"get"},
    "/api/v1/meetings/": {"get", "post"},
    "/api/v1/meetings/{uid}/": {"get", "patch"},
    "/api/v1/meetings/{uid}/answer/": {"get", "post"},
    "/api/v1/meetings/{uid}/attendances/": {"get"},
    "/api/v1/meetings/{uid}/cancel/": {"post"},
    "/api/v1/meetings/{uid}/guests/": {"get"},
    "/api/v1/meetings/{uid}/register/": {"post"},
    "/api/v1/meetings/{uid}/documents/": {"get", "post"},
    "/api/v1/meetings/{uid}/documents/{document_id}/": {"patch", "delete"},
    "/api/v1/meetings/{uid}/minutes/": {"get", "put"},
    "/api/v1/meetings/{uid}/minutes/publish/": {"post"},
    "/api/v1/meetings/{uid}/move/": {"post"},
    "/api/v1/meetings/{uid}/presence/": {"post"},
    "/api/v1/meetings/{uid}/restore/": {"post"},
    "/api/v1/memberships/": {"get"},
    "/api/v1/memberships/{id}/": {"get"},
    "/api/v1/networks/": {"get"},
    "/api/v1/networks/{slug}/": {"get"},
    "/api/v1/people/": {"get"},
    "/api/v1/people/{id}/": {"get"},
    "/api/v1/polls/": {"get", "post"},
    "/api/v1/polls/{id}/": {"get"},
    "/api/v1/polls/{id}/answers/": {"get"},
    "/api/v1/polls/{id}/close/": {"post"},
    "/api/v1/polls/{id}/vote/": {"post"},
    "/api/v1/series/": {"get", "post"},
    "/api/v1/series/{id}/": {"get", "patch"},
    "/api/v1/series/{id}/cancel-from/": {"post"},
    "/api/v1/token/": {"post", "delete"},
}

LIST_FILTERS = {
    "/api/v1/meetings/": {"network", "kind", "area", "status", "visibility", "start_after", "start_before", "search"},
    "/api/v1/series/": {"network", "kind", "area", "visibility", "updated_since", "search"},
    "/api/v1/institutions/": {"type", "category", "area", "network", "updated_since", "search"},
    "/api/v1/people/": {"search", "network"},
    "/api/v1/memberships/": {"network", "kind", "area", "institution", "role", "updated_since"},
    "/api/v1/polls/": {"network", "status", "updated_since"},
    "/api/v1/agenda-items/": {"meeting", "network", "is_public", "updated_since"},
}


@pytest.fixture(scope="module")
def schema(django_db_blocker, tmp_path_factory):
    """The schema as ``manage.py spectacular --validate --fail-on-warn`` writes it."""
    import yaml

    path = tmp_path_factory.mktemp("schema") / "schema.yaml"
    with django_db_blocker.unblock():
        call_command("spectacular", "--validate", "--fail-on-warn", "--file", str(path))
    return yaml.safe_load(path.read_text())


def test_api_schema_lists_every_path_and_method(schema):
    methods = {path: set(item) - {"parameters"} for path, item in schema["paths"].items()}

    # Other endpoints (the combined search) may join; these must all be there, as listed.
    assert {path: methods.get(path) for path in PATHS} == PATHS


@pytest.mark.parametrize("path", sorted(LIST_FILTERS))
def test_api_schema_documents_every_list_filter_and_paging(schema, path):
    parameters = {parameter["name"] for parameter in schema["paths"][path]["get"]["parameters"]}

    assert LIST_FILTERS[path] | {"page", "page_size", "ordering"} <= parameters


def test_api_schema_documents_the_errors_of_every_operation(schema):
    missing = [
        (path, method, code)
        for path, item in schema["paths"].items()
        for method, operation in item.items()
        for code in ("400", "401", "403", "404", "429")
        if operation["responses"].get(code, {}).get("content", {}).get("application/json", {}).get("schema")
        != {"$ref": "#/components/schemas/Fehler"}
    ]

    assert missing == []
    assert "detail" in schema["components"]["schemas"]["Fehler"]["properties"]
