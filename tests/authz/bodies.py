"""The smallest well-formed request of each API operation, read off its own models.

django-ninja validates the query and body before the view runs, so before ``@requires``
checks the right: an empty request would stop at 422 and the right would go unchecked. A
schema-shaped request (each required field filled by its type) reaches the right check, and
for callers holding the right it reaches the scoped fetch of the path's object. The JSON body
is built from the operation's pydantic model, not from the OpenAPI components: those are keyed
by class name, and four names are used by two modules each (see docs/reliability.md).
"""

from __future__ import annotations

import datetime as dt
import functools
import re
from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile

from tests.authz.routes import OPERATIONS, Route
from tests.authz.world import World


@functools.cache
def _schema() -> dict[str, Any]:
    from fangkong.api import api

    return api.get_openapi_schema()  # type: ignore[no-any-return]


def _operation(route: Route) -> dict[str, Any]:
    path = "/" + re.sub(r"<(?:\w+:)?(\w+)>", r"{\1}", route.template)
    return _schema()["paths"][path][route.method.lower()]  # type: ignore[no-any-return]


def query_of(route: Route, world: World) -> dict[str, Any]:
    params = [p for p in _operation(route).get("parameters", [])
              if p["in"] == "query" and p.get("required")]
    return {p["name"]: _field(route, world, p["name"], p.get("schema", {}), _schema())
            for p in params}


def _field(route: Route, world: World, name: str, schema: dict[str, Any],
           root: dict[str, Any]) -> Any:
    """A field naming an object gets the world's object of that kind, else an example."""
    known = route.id_for(name, world)
    if known is not None and _resolve(schema, root).get("type") == "integer":
        return known
    return _example(schema, root)


def body_of(route: Route, world: World) -> tuple[str, Any] | None:
    """("json", value) or ("multipart", dict with files), or None without a body."""
    models = {getattr(m, "__ninja_param_source__", ""): m
              for m in OPERATIONS[(route.template, route.method)].models}
    if "body" in models:
        root = models["body"].model_json_schema()
        fields = root["properties"]
        # one body parameter: ninja takes the object itself
        schema = _resolve(next(iter(fields.values())), root) if len(fields) == 1 else root
        if "properties" not in schema:
            return "json", _example(schema, root)
        return "json", {name: _field(route, world, name, schema["properties"][name], root)
                        for name in schema.get("required", [])}
    content = _operation(route).get("requestBody", {}).get("content", {})
    if "multipart/form-data" in content:
        fields = _example(content["multipart/form-data"]["schema"], _schema())
        return "multipart", {k: v for k, v in fields.items() if v is not None}
    return None


def _example(schema: dict[str, Any], root: dict[str, Any], depth: int = 0) -> Any:  # noqa: PLR0911
    """A value of ``schema``: the first choice, today, 1, a file; required fields only."""
    schema = _resolve(schema, root)
    if depth > 8:
        return None
    for key in ("anyOf", "oneOf", "allOf"):
        if key in schema:
            options = [s for s in schema[key] if _resolve(s, root).get("type") != "null"]
            return _example(options[0], root, depth + 1) if options else None
    if "enum" in schema:
        return schema["enum"][0]
    if "default" in schema:
        return schema["default"]
    kind, fmt = schema.get("type"), schema.get("format")
    if kind == "object" or "properties" in schema:
        return {name: _example(schema["properties"][name], root, depth + 1)
                for name in schema.get("required", [])}
    if kind == "array":
        item = _example(schema.get("items", {}), root, depth + 1)
        return [item] * max(1, schema.get("minItems", 1))
    return _scalar(kind, fmt, schema)


def _scalar(kind: str | None, fmt: str | None, schema: dict[str, Any]) -> Any:
    if fmt == "binary":
        return SimpleUploadedFile("rows.csv", b"code\n", content_type="text/csv")
    if fmt == "date":
        return dt.datetime.now(dt.UTC).date().isoformat()
    if fmt == "date-time":
        return dt.datetime.now(dt.UTC).isoformat()
    if kind in ("integer", "number"):
        return max(1, schema.get("minimum", 1))
    if kind == "boolean":
        return False
    return "x" * max(1, schema.get("minLength", 1))


def _resolve(schema: dict[str, Any], root: dict[str, Any]) -> dict[str, Any]:
    """Follow ``$ref`` within ``root`` (a model's ``$defs`` or the API's components)."""
    while "$ref" in schema:
        section, name = schema["$ref"].split("/")[-2:]
        schema = root[section][name] if section == "$defs" else root["components"][section][name]
    return schema
