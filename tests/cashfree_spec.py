"""Cashfree's official OpenAPI spec (2025-01-01) as JSON-Schema validators for tests.

OpenAPI 3.0 schemas are almost JSON Schema; the one difference that matters here is
`nullable: true`, which is turned into a `null` type before validating. `$ref`s resolve
against the whole spec document.
"""

from __future__ import annotations

import copy
import functools
import json
from pathlib import Path
from typing import Any

import jsonschema

SPEC_PATH = Path(__file__).resolve().parent / "contracts" / "cashfree-openapi-2025-01-01.json"


@functools.cache
def spec() -> dict[str, Any]:
    with SPEC_PATH.open(encoding="utf-8") as fh:
        doc: dict[str, Any] = json.load(fh)
    return _nullable_to_null(copy.deepcopy(doc))


def _nullable_to_null(node: Any) -> Any:
    if isinstance(node, dict):
        for value in node.values():
            _nullable_to_null(value)
        if node.get("nullable") is True:
            kind = node.get("type")
            if isinstance(kind, str):
                node["type"] = [kind, "null"]
            elif "$ref" in node or "allOf" in node or "oneOf" in node or "anyOf" in node:
                inner = {
                    k: node.pop(k) for k in list(node) if k in ("$ref", "allOf", "oneOf", "anyOf")
                }
                node["anyOf"] = [inner, {"type": "null"}]
            if "enum" in node and None not in node["enum"]:
                node["enum"] = [*node["enum"], None]
    elif isinstance(node, list):
        for value in node:
            _nullable_to_null(value)
    return node


def resolve(ref_or_obj: dict[str, Any]) -> dict[str, Any]:
    """Follow a local `$ref` (repeatedly) to the object it names."""
    obj = ref_or_obj
    while "$ref" in obj:
        path = obj["$ref"].removeprefix("#/").split("/")
        target: Any = spec()
        for part in path:
            target = target[part.replace("~1", "/").replace("~0", "~")]
        obj = target
    return obj


def operation(path: str, method: str) -> dict[str, Any]:
    return spec()["paths"][path][method.lower()]  # type: ignore[no-any-return]


def request_schema(path: str, method: str) -> dict[str, Any]:
    body = resolve(operation(path, method)["requestBody"])
    return body["content"]["application/json"]["schema"]  # type: ignore[no-any-return]


def response_schema(path: str, method: str, status: int | str = 200) -> dict[str, Any]:
    response = resolve(operation(path, method)["responses"][str(status)])
    return response["content"]["application/json"]["schema"]  # type: ignore[no-any-return]


def response_examples(path: str, method: str, status: int | str = 200) -> list[Any]:
    """Every example the spec gives for a response (inline or via components/examples)."""
    response = resolve(operation(path, method)["responses"][str(status)])
    media = response["content"]["application/json"]
    found = []
    if "example" in media:
        found.append(media["example"])
    for example in media.get("examples", {}).values():
        found.append(resolve(example)["value"])
    return found


def validate(instance: Any, schema: dict[str, Any]) -> None:
    """Raise jsonschema.ValidationError if `instance` does not fit `schema`."""
    root = spec()
    wrapper = {**schema, "components": root["components"]}
    jsonschema.validate(instance, wrapper, cls=jsonschema.Draft7Validator)
