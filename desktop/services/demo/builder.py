"""The state shared while building the demo: random source, rows per table, ids, pickers."""

from __future__ import annotations

import random
from bisect import bisect_left
from collections.abc import Callable, Sequence
from datetime import date, datetime, timedelta
from itertools import accumulate
from typing import Generic, TypeVar

from desktop.domain.enums import ProductLineCode
from desktop.services.demo.dates import paris_time
from desktop.services.demo.tables import TABLE_ORDER, Row
from desktop.services.demo.words import (
    CITIES,
    FIRST_NAMES,
    LAST_NAMES,
    LEGAL_FORMS,
    STAFF,
    TLDS,
)

Progress = Callable[[str, int, int], None]
"""Called with a French stage label, the work done and the total of that stage."""

HISTORY_YEARS = 4
"""Contracts start over the last HISTORY_YEARS years."""

T = TypeVar("T")


class Picker(Generic[T]):
    """Weighted picks in O(log n) from precomputed cumulative weights."""

    def __init__(self, rng: random.Random, items: Sequence[T], weights: Sequence[float]):
        self.rng = rng
        self.items = list(items)
        self.cumulative = list(accumulate(weights))
        self.total = self.cumulative[-1]

    def __call__(self) -> T:
        return self.items[bisect_left(self.cumulative, self.rng.random() * self.total)]

    @classmethod
    def zipf(cls, rng: random.Random, items: Sequence[T], shift: int) -> Picker[T]:
        """The first items most often, by a Zipf-like law flattened by ``shift``."""
        return cls(rng, items, [1.0 / (rank + shift) for rank in range(len(items))])

    @classmethod
    def weighted(cls, rng: random.Random, pairs: Sequence[tuple[T, int]]) -> Picker[T]:
        """Picks among (item, weight) pairs."""
        return cls(rng, [item for item, _ in pairs], [weight for _, weight in pairs])


class DemoBuilder:
    """Rows in memory, table by table, with ids chosen here and one seeded random source."""

    def __init__(self, clients: int, seed: int, today: date, progress: Progress | None) -> None:
        self.n_clients = clients
        self.rng = random.Random(seed)
        self.today = today
        self.progress = progress
        self.rows: dict[str, list[Row]] = {model.__tablename__: [] for model in TABLE_ORDER}
        self.ids: dict[str, int] = {}
        # Names already given, kept unique.
        self.sirens: set[str] = set()
        self.domain_names: set[str] = set()
        self.public_names: set[str] = set()
        self.business_names: set[str] = set()
        self.last_name = Picker.zipf(self.rng, LAST_NAMES, 15)
        self.first_name = Picker.zipf(self.rng, FIRST_NAMES, 25)
        self.city = Picker.zipf(self.rng, CITIES, 20)
        self.tld = Picker.weighted(self.rng, TLDS)
        self.legal_form = Picker.weighted(self.rng, LEGAL_FORMS)
        # The catalogue's ids, by code.
        self.line_ids: dict[ProductLineCode, int] = {}
        self.plan_ids: dict[str, int] = {}
        self.plan_quota: dict[int, int] = {}
        self.option_ids: dict[str, int] = {}

    def next_id(self, table: str) -> int:
        value = self.ids.get(table, 0) + 1
        self.ids[table] = value
        return value

    def add(self, table: str, row: Row) -> Row:
        self.rows[table].append(row)
        return row

    def stamps(self, created: datetime, updated: datetime | None = None) -> Row:
        """The audit columns of a row created at ``created``, last changed at ``updated``."""
        return {
            "version": 1,
            "created_at": created,
            "updated_at": updated or created,
            "updated_by": None,
        }

    def staff(self) -> str:
        return self.rng.choice(STAFF)

    def report(self, stage: str, done: int, total: int) -> None:
        if self.progress is not None:
            self.progress(stage, done, total)

    def random_day(self, start: date, end: date) -> date:
        """A day in [start, end] (``start`` when the range is empty)."""
        span = (end - start).days
        return start + timedelta(days=self.rng.randint(0, span)) if span > 0 else start

    def office_time(self, day: date) -> datetime:
        return paris_time(day, self.rng.randint(8 * 60 + 30, 18 * 60))
