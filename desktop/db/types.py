"""Column types that keep money exact and timestamps in UTC on every backend."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal
from enum import Enum
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Dialect
from sqlalchemy.types import TypeDecorator


class UTCDateTime(TypeDecorator[datetime]):
    """A timezone-aware datetime, stored in UTC.

    PostgreSQL keeps ``timestamptz``; SQLite keeps naive UTC text, given back
    aware. A naive datetime is refused: its zone would be a guess.
    """

    impl = sa.DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None or value.utcoffset() is None:
            raise ValueError(f"naive datetime {value!r}: pass an aware datetime")
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value.astimezone(UTC)


class ExactDecimal(TypeDecorator[Decimal]):
    """A fixed-point ``Decimal`` (``NUMERIC(p, s)``) that never rounds silently.

    A value with more decimals than the column's scale is refused: rounding
    belongs to the domain's money helper, not to the storage. SQLite, which
    has no decimal type, stores a binary float; values are given back
    quantized to the scale, exact for amounts below 10^13.
    """

    impl = sa.Numeric
    cache_ok = True

    def __init__(self, precision: int, scale: int) -> None:
        super().__init__(precision=precision, scale=scale, asdecimal=True)
        self.scale = scale
        self.quantum = Decimal(1).scaleb(-scale)

    def process_bind_param(self, value: Decimal | None, dialect: Dialect) -> Any:
        if value is None:
            return None
        if not isinstance(value, Decimal | int) or isinstance(value, bool):
            raise TypeError(f"expected Decimal, got {type(value).__name__}")
        exact = Decimal(value)
        quantized = exact.quantize(self.quantum)
        if quantized != exact:
            raise ValueError(f"{exact} has more than {self.scale} decimals")
        return quantized

    def process_result_value(self, value: Any, dialect: Dialect) -> Decimal | None:
        if value is None:
            return None
        if isinstance(value, float):
            value = f"{value:.{self.scale}f}"
        return Decimal(value).quantize(self.quantum)


def Money() -> ExactDecimal:  # noqa: N802 - reads as a type in column declarations
    """An amount in euros, to the cent."""
    return ExactDecimal(14, 2)


def UnitPrice() -> ExactDecimal:  # noqa: N802
    """A unit price, which EN 16931 lets carry up to 4 decimals."""
    return ExactDecimal(14, 4)


def Rate() -> ExactDecimal:  # noqa: N802
    """A percentage such as a VAT rate (20.00) or a penalty rate."""
    return ExactDecimal(5, 2)


def Quantity() -> ExactDecimal:  # noqa: N802
    return ExactDecimal(12, 3)


def enum_type(enum_cls: type[Enum], name: str) -> sa.Enum:
    """A portable enum: VARCHAR plus a named CHECK constraint on its values."""
    return sa.Enum(
        enum_cls,
        name=name,
        native_enum=False,
        create_constraint=True,
        length=max(32, *(len(str(m.value)) for m in enum_cls)),
        values_callable=lambda members: [str(m.value) for m in members],
        validate_strings=True,
    )
