"""The contract: docs/api/openapi-v1.json is the document the API serves. A change to the API
that changes the document fails here until the file is regenerated (`make api-schema`) and the
change reviewed with the code."""

import json
from pathlib import Path

from django.conf import settings
from django.test import Client

from siao.partners.management.commands.export_openapi import openapi_document

COMMITTED = Path(settings.BASE_DIR) / "docs" / "api" / "openapi-v1.json"
REGENERATE = (
    "Le document OpenAPI servi diffère de docs/api/openapi-v1.json. Si le changement est voulu, "
    "lancez `make api-schema` et relisez le diff du contrat avec celui du code."
)


def served() -> dict:
    response = Client().get("/api/v1/openapi.json")
    assert response.status_code == 200
    return response.json()


def committed() -> dict:
    return json.loads(COMMITTED.read_text(encoding="utf-8"))


def test_the_served_document_is_the_committed_one():
    assert served() == committed(), REGENERATE
    assert COMMITTED.read_text(encoding="utf-8") == openapi_document(), REGENERATE


def test_the_document_is_openapi_3_1_with_every_problem_as_problem_json():
    document = committed()
    assert document["openapi"].startswith("3.1")
    assert document["info"]["version"] == "1"
    operations = [
        (path, method, operation) for path, item in document["paths"].items() for method, operation in item.items()
    ]
    assert len(operations) >= 20
    for path, method, operation in operations:
        assert path.startswith("/api/v1/"), path
        assert operation.get("summary") and operation.get("tags"), (method, path)
        statuses = operation["responses"]
        assert any(s.startswith("2") for s in statuses), (method, path)
        for status, response in statuses.items():
            if status.startswith(("4", "5")):
                assert list(response.get("content", {})) == ["application/problem+json"], (method, path, status)
                schema = response["content"]["application/problem+json"]["schema"]
                assert schema == {"$ref": "#/components/schemas/Problem"}, (method, path, status)
        if path == "/api/v1/oauth/token":
            assert "security" not in operation
            assert {"400", "401"} <= set(statuses)
            continue
        # Every other call needs the bearer token and may meet the rate limit or a bad value.
        assert operation["security"] == [{"PartnerBearer": []}], (method, path)
        assert {"401", "403", "422", "429"} <= set(statuses), (method, path)
        if "{" in path:
            assert "404" in statuses, (method, path)
        if method == "post":
            assert "400" in statuses, (method, path)  # malformed JSON
    assert document["components"]["securitySchemes"]["PartnerBearer"] == {"scheme": "bearer", "type": "http"}
