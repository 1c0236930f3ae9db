"""The base of every page form: it parses and types the input; the rules are the actions',
and a ``DomainError`` they raise goes back on the field it names."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from django import forms

from fangkong.core.errors import DomainError, NotFound, PermissionDenied

T = TypeVar("T")

WHEN = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")


class DomainForm(forms.Form):
    def add_domain_error(self, exc: DomainError) -> None:
        name = exc.field or ""
        field = next((f for f in (name, name.removesuffix("_id")) if f in self.fields), None)
        self.add_error(field, exc.message)

    def values(self) -> dict[str, Any]:
        return {k: v for k, v in self.cleaned_data.items() if v not in ("", None)}

    def submit(self, action: Callable[..., T], **extra: Any) -> T | None:
        """Run ``action`` with the cleaned data and ``extra``; None when the input is invalid
        or the action refused it (the reason is then on the form). Out of scope and missing
        rights still propagate, so the page answers 404 / 403 as everywhere else."""
        if not self.is_valid():
            return None
        try:
            return action(**self.cleaned_data, **extra)
        except (NotFound, PermissionDenied):
            raise
        except DomainError as exc:
            self.add_domain_error(exc)
            return None
