"""French formatting for documents, without Qt."""

from __future__ import annotations

from datetime import UTC, date, datetime, time
from decimal import Decimal

import pytest

from desktop.documents.french import (
    french_date,
    french_datetime,
    french_decimal,
    french_long_date,
    french_money,
    french_percent,
    french_spacing,
    french_time,
    group_digits,
    plural,
)

NNBSP, NBSP = "\u202f", "\u00a0"


@pytest.mark.parametrize(
    ("value", "text"),
    [
        (Decimal("1234.56"), f"1{NNBSP}234,56{NBSP}€"),
        (Decimal("1234567.5"), f"1{NNBSP}234{NNBSP}567,50{NBSP}€"),
        (Decimal("0"), f"0,00{NBSP}€"),
        (Decimal("-42.005"), f"-42,01{NBSP}€"),
        (Decimal("999.995"), f"1{NNBSP}000,00{NBSP}€"),
    ],
)
def test_money(value: Decimal, text: str) -> None:
    assert french_money(value) == text


def test_dates_and_times() -> None:
    assert french_date(date(2026, 11, 22)) == "22/11/2026"
    assert french_long_date(date(2026, 11, 22)) == "22 novembre 2026"
    assert french_long_date(date(2027, 3, 1)) == "1er mars 2027"
    assert french_datetime(datetime(2026, 7, 1, 12, 5, tzinfo=UTC)) == "01/07/2026 à 14:05"
    assert french_time(time(9, 0)) == f"9{NBSP}h"
    assert french_time(time(18, 30)) == f"18{NBSP}h{NBSP}30"


def test_numbers() -> None:
    assert french_decimal(Decimal("26.000")) == "26"
    assert french_decimal(Decimal("1.500")) == "1,5"
    assert french_decimal(Decimal("12345.25")) == f"12{NNBSP}345,25"
    assert french_percent(Decimal("99.00")) == f"99{NBSP}%"
    assert plural(1, "compte", "comptes") == "1 compte"
    assert plural(2, "compte", "comptes") == "2 comptes"
    assert group_digits("552081317") == "552 081 317"
    assert group_digits("55208131700018") == "552 081 317 00018"


def test_spacing_makes_breaks_impossible_where_french_forbids_them() -> None:
    text = french_spacing(f"Total : 1{NNBSP}234 € ; « oui » ?")
    assert text == f"Total{NBSP}: 1{NBSP}234{NBSP}€{NBSP}; «{NBSP}oui{NBSP}»{NBSP}?"
