"""SEPA rules: mandate references, lapsing after 36 months, pre-notification, FRST/RCUR."""

from __future__ import annotations

import doctest
import re
from datetime import date

import pytest

from desktop.domain import sepa
from desktop.domain.enums import SequenceType
from desktop.domain.sepa import (
    earliest_collection_date,
    end_to_end_id,
    make_rum,
    mandate_lapsed,
    message_id,
    sequence_type,
)

# What every bank accepts in a mandate reference or an end-to-end id.
SAFE_ID = re.compile(r"[A-Z0-9](?:[A-Z0-9-]{0,33}[A-Z0-9])?")


def test_doctests() -> None:
    result = doctest.testmod(sepa)
    assert result.attempted >= 12
    assert result.failed == 0


@pytest.mark.parametrize(
    ("code", "sequence", "expected"),
    [
        ("CL00042", 1, "BOM-CL00042-000001"),
        ("cl-0042", 123456, "BOM-CL-0042-123456"),
        ("Société Ü/7", 9, "BOM-SOCI-T-7-000009"),
        ("X" * 40, 1, "BOM-XXXXXXXXXXXXXXXXXXXXXXXX-000001"),
        ("", 5, "BOM-000005"),
        ("CL1", 12345678, "BOM-CL1-12345678"),
    ],
)
def test_rum_is_short_and_safe(code: str, sequence: int, expected: str) -> None:
    rum = make_rum(code, sequence)
    assert rum == expected
    assert len(rum) <= 35
    assert SAFE_ID.fullmatch(rum)


def test_rums_of_different_sequences_differ_even_when_the_code_is_cut() -> None:
    rums = {make_rum("A" * 50, n) for n in range(1, 200)}
    assert len(rums) == 199
    assert max(len(r) for r in rums) == 35


@pytest.mark.parametrize(
    ("number", "sequence", "expected"),
    [
        ("F2026-000042", 1, "F2026-000042-D000001"),
        ("F/2026 42", 7, "F-2026-42-D000007"),
        ("F" + "9" * 40, 1, "F" + "9" * 26 + "-D000001"),
    ],
)
def test_end_to_end_id(number: str, sequence: int, expected: str) -> None:
    assert end_to_end_id(number, sequence) == expected
    assert len(expected) <= 35 and SAFE_ID.fullmatch(expected)


def test_message_id() -> None:
    assert message_id(date(2026, 1, 5), 1) == "BOM-PRLV-20260105-000001"


@pytest.mark.parametrize(
    ("last_use", "signed_on", "today", "lapsed"),
    [
        (None, date(2023, 1, 10), date(2026, 1, 9), False),
        (None, date(2023, 1, 10), date(2026, 1, 10), True),
        (date(2025, 6, 1), date(2020, 1, 1), date(2028, 5, 31), False),
        (date(2025, 6, 1), date(2020, 1, 1), date(2028, 6, 1), True),
        # The end of February: 36 months after 29/02 is 28/02 (no 29th).
        (date(2024, 2, 29), date(2020, 1, 1), date(2027, 2, 27), False),
        (date(2024, 2, 29), date(2020, 1, 1), date(2027, 2, 28), True),
    ],
)
def test_mandate_lapses_after_36_months_unused(
    last_use: date | None, signed_on: date, today: date, lapsed: bool
) -> None:
    assert mandate_lapsed(last_use, signed_on, today) is lapsed


@pytest.mark.parametrize(
    ("today", "expected"),
    [
        (date(2026, 1, 5), date(2026, 1, 19)),
        (date(2026, 2, 20), date(2026, 3, 6)),
        (date(2026, 12, 25), date(2027, 1, 8)),
    ],
)
def test_pre_notification_is_14_calendar_days(today: date, expected: date) -> None:
    assert earliest_collection_date(today) == expected
    assert earliest_collection_date(today, notice_days=2) == date.fromordinal(today.toordinal() + 2)


def test_first_collection_is_frst_then_rcur() -> None:
    assert sequence_type(collected_before=False) is SequenceType.FRST
    assert sequence_type(collected_before=True) is SequenceType.RCUR
