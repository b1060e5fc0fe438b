"""The OpenAPI document tells the truth, and its docs page works with no internet.

Every operation documents a 2xx body; every 4xx it lists is the one error body; routes that
need a key declare the API-key security scheme; the docs page loads its scripts from the
service itself, not from a CDN.
"""

from __future__ import annotations

import re
from typing import Any

from tests.api.conftest import World

PUBLIC = {"/health", "/v1/ledger/key", "/v1/event-types", "/v1/checkpoints/latest"}


def _operations(schema: dict[str, Any]) -> list[tuple[str, str, dict[str, Any]]]:
    return [
        (path, method, op)
        for path, item in schema["paths"].items()
        for method, op in item.items()
        if method in ("get", "post", "put", "delete", "patch")
    ]


def test_every_answer_is_documented(world: World) -> None:
    schema = world.client.get("/openapi.json").json()
    assert "ErrorBody" in schema["components"]["schemas"]
    assert "HTTPValidationError" not in schema["components"]["schemas"]
    for path, method, op in _operations(schema):
        where = f"{method.upper()} {path}"
        ok = [s for s in op["responses"] if s.startswith("2")]
        assert ok, where
        for status in ok:
            content = op["responses"][status].get("content", {})
            # JSON, or a documented Server-Sent Events stream (the risk alert stream)
            media = "text/event-stream" if "text/event-stream" in content else "application/json"
            assert content.get(media, {}).get("schema"), where
        for status, answer in op["responses"].items():
            if status.startswith("4"):
                ref = answer["content"]["application/json"]["schema"]["$ref"]
                assert ref.endswith("/ErrorBody"), f"{where} {status}"


def test_keys_are_a_security_scheme(world: World) -> None:
    schema = world.client.get("/openapi.json").json()
    schemes = schema["components"]["securitySchemes"]
    [(_name, scheme)] = schemes.items()
    assert scheme == {**scheme, "type": "apiKey", "in": "header", "name": "X-API-Key"}
    keyed = {path for path, _, op in _operations(schema) if op.get("security")}
    assert {"/v1/events", "/v1/entries/{seq}", "/v1/admin/api-keys", "/v1/access-log"} <= keyed
    assert keyed.isdisjoint(PUBLIC)
    for path, _, op in _operations(schema):
        if op.get("security"):
            assert "401" in op["responses"], path


def test_the_docs_page_needs_no_internet(world: World) -> None:
    page = world.client.get("/docs")
    assert page.status_code == 200
    assert not re.search(r"cdn|jsdelivr|unpkg|googleapis", page.text, re.I)
    sources = re.findall(r'(?:src|href)="([^"]+)"', page.text)
    assert sources
    for source in sources:
        assert source.startswith("/"), source
        assert world.client.get(source).status_code == 200, source
