"""Rules of the layout that a reviewer would otherwise check by hand."""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path
from typing import get_args

import pytest
from ninja import Router
from ninja.operation import Operation
from pydantic import BaseModel

from fangkong.api import api

SRC = Path(__file__).resolve().parents[1] / "src" / "fangkong"


def _routers(router: Router) -> Iterator[Router]:
    """A router and the routers added to it: ninja joins nested routers to the API only when
    its URLs are built, so ``api._routers`` alone lists the top level (37 of the operations)."""
    yield router
    for entry in router._routers:
        yield from _routers(entry[1])


def api_operations() -> list[Operation]:
    """Each operation once: once the URLs are built, ``api._routers`` lists the nested
    routers as well, so the walk meets them twice."""
    routers = {id(r): r for _, top in api._routers for r in _routers(top)}
    return [op for router in routers.values()
            for view in router.path_operations.values() for op in view.operations]


def test_every_api_operation_declares_a_right() -> None:
    operations = api_operations()
    served = {(p, m) for p, ops in api.get_openapi_schema()["paths"].items() for m in ops}
    assert len(operations) == len(served), "some operations were not found by the walk"
    missing = [f"{op.methods} {op.view_func.__qualname__}" for op in operations
               if not hasattr(op.view_func, "required_right")]
    assert not missing, f"operations without @requires: {missing}"


def _schemas(annotation: object, seen: set[type]) -> None:
    """Every project schema class reachable from a type (fields, list items, unions)."""
    for arg in get_args(annotation):
        _schemas(arg, seen)
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        if annotation.__module__.startswith("fangkong.") and annotation not in seen:
            seen.add(annotation)
        elif annotation.__module__.startswith("fangkong."):
            return
        for field in annotation.model_fields.values():
            _schemas(field.annotation, seen)


def test_schema_class_names_are_unique() -> None:
    """The OpenAPI document names a component by its class name only: two classes of the same
    name collapse into one component, and an operation is shown the other one's body."""
    seen: set[type] = set()
    for op in api_operations():
        for model in [*op.signature.models, *op.response_models.values()]:
            _schemas(model, seen)
    by_name: dict[str, list[str]] = {}
    for cls in seen:
        by_name.setdefault(cls.__name__, []).append(cls.__module__)
    shared = {name: sorted(mods) for name, mods in by_name.items() if len(mods) > 1}
    assert len(seen) > 100, "the walk found too few schemas to be trusted"
    assert not shared, f"schema classes sharing a name: {shared}"
    components = api.get_openapi_schema()["components"]["schemas"]
    assert {cls.__name__ for cls in seen} <= set(components)


def _imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text())
    imported = {n.module or "" for n in ast.walk(tree) if isinstance(n, ast.ImportFrom)}
    return imported | {a.name for n in ast.walk(tree) if isinstance(n, ast.Import)
                       for a in n.names}


@pytest.mark.parametrize("path", sorted(SRC.glob("*/logic*.py")),
                         ids=lambda p: f"{p.parent.name}/{p.name}")
def test_logic_modules_do_not_import_django(path: Path) -> None:
    assert not any(m.split(".")[0] == "django" for m in _imports(path))


# Domains that must not import the ones named: the flow between domains runs one way.
NEW = {"simulation", "supplies", "coldchain", "vaccination"}  # issues 9 and 11: side by side
NEVER_IMPORTS = {
    "tracing": {"testing", "risk", "quarantine", "healthcode", "hotline", "warning", "command",
                *NEW},
    "testing": {"risk", "quarantine", "healthcode", "hotline", "warning", "command", *NEW},
    "risk": {"quarantine", "healthcode", "hotline", "warning", "command", *NEW},
    "quarantine": {"healthcode", "hotline", "warning", "command", *NEW},
    "healthcode": {"hotline", "warning", "command", *NEW},
    "hotline": {"warning", "command", *NEW},
    "warning": {"hotline", "command", *NEW},
    "registry": {"tracing", "testing", "risk", "quarantine", "healthcode", "hotline", "warning",
                 "command", *NEW},
    **{new: {"hotline", "warning", "command", *(NEW - {new})} for new in sorted(NEW)},
}


@pytest.mark.parametrize("domain", sorted(NEVER_IMPORTS))
def test_domains_import_one_way(domain: str) -> None:
    wrong = sorted(
        f"{path.relative_to(SRC)} imports {module}"
        for path in (SRC / domain).rglob("*.py")
        for module in _imports(path)
        if module.split(".")[:2] in ([["fangkong", d] for d in NEVER_IMPORTS[domain]]))
    assert not wrong, wrong


def test_synth_does_not_import_django() -> None:
    for path in (SRC / "synth").glob("*.py"):
        assert "django" not in path.read_text(), path.name


def _pages(patterns: list) -> list:  # type: ignore[type-arg]
    """Every URLPattern, included lists flattened."""
    from django.urls import URLResolver

    found = []
    for entry in patterns:
        found.extend(_pages(entry.url_patterns) if isinstance(entry, URLResolver) else [entry])
    return found


# Pages anyone may open: login, logout, published risk points and risk areas, the health
# code's public keys and checker, the hotline's public web form (throttled per address), and
# the signed links of residents (booking, household requests, their health code, check-ins
# and hotline tickets, a venue's code): the link itself is the credential.
PUBLIC = {"login", "logout", "public_risk_points", "public_risk_points_json",
          "screening_public_booking", "public_risk_areas", "public_risk_areas_json",
          "risk_household_request", "public_healthcode_keys", "public_healthcode_verify",
          "hotline_public_new", "hotline_resident_ticket", "warning_self_report",
          "public_healthcode_resident", "public_healthcode_appeal", "public_healthcode_code_json",
          "public_healthcode_checkins", "public_healthcode_venue"}


def test_every_page_declares_a_right() -> None:
    from fangkong.web.urls import urlpatterns

    missing = [p.name for p in _pages(urlpatterns)
               if p.name not in PUBLIC and not hasattr(p.callback, "required_right")]
    assert not missing, f"pages without @needs: {missing}"


def test_the_documented_roles_are_the_code_s() -> None:
    """docs/configuration.md lists every role with its rights, as core/rights.py grants them."""
    from fangkong.core.rights import ROLE_RIGHTS, Right

    text = (SRC.parents[1] / "docs" / "configuration.md").read_text()
    for role, rights in ROLE_RIGHTS.items():
        names = ("everything" if rights == frozenset(Right)
                 else ", ".join(sorted(r.value for r in rights)))
        assert f"| `{role.value}` | {names} |" in text, role
