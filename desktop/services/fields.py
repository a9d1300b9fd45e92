"""Form-field helpers shared by the services' validation: trimmed text, length, errors."""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import QueryableAttribute

from desktop.domain.errors import ValidationError


def clean(value: str | None) -> str | None:
    """Trimmed text, None when empty."""
    text = (value or "").strip()
    return text or None


def text_field(
    errors: dict[str, str],
    field: str,
    value: str | None,
    column: QueryableAttribute[Any],
    *,
    required: str | None = None,
) -> str | None:
    """Trimmed text that fits ``column``; ``required`` is the message when it is empty."""
    text = clean(value)
    if text is None:
        if required is not None:
            errors.setdefault(field, required)
        return None
    length = getattr(column.expression.type, "length", None)
    if length is not None and len(text) > length:
        errors.setdefault(field, f"{length} caractères au maximum ({len(text)} caractères saisis).")
    return text


def raise_if_any(errors: dict[str, str]) -> None:
    """Raise every error collected at once, as one :class:`ValidationError`."""
    if errors:
        raise ValidationError(errors)


REASON_MAX = 2000


def required_reason(value: str | None) -> str:
    """The reason given for a change (every change of state is logged with why)."""
    text = clean(value)
    if text is None:
        raise ValidationError(
            {"reason": "Indiquez le motif : il est enregistré dans l'historique."}
        )
    if len(text) > REASON_MAX:
        raise ValidationError(
            {"reason": f"{REASON_MAX} caractères au maximum ({len(text)} saisis)."}
        )
    return text
