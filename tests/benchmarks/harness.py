"""A tiny benchmark registry: declare with ``@benchmark``, judge against a target.

A benchmark is a function taking the run's :class:`Context` and returning a
:class:`Result`: the measured ``value`` and, measured in the same run, a
``baseline`` (the same work done the plainest way) so that the ratio says
how far the application is from what the machine can do. Targets are an
absolute ceiling (``max_value``), a ceiling on the ratio (``max_ratio``), or
both; a benchmark missing its target fails the run (exit code 1).
"""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import sqlalchemy as sa

from desktop.db.engine import Database, resolve_url, sqlite_url
from desktop.db.models import Client
from desktop.db.schema import SchemaStatus, current_state, head_revision, upgrade
from desktop.services.demo import generate_demo

DATASET_CLIENTS = 5000
CACHE_DIR = Path(__file__).resolve().parent / ".cache"


@dataclass(frozen=True)
class Result:
    value: float
    baseline: float | None = None


@dataclass(frozen=True)
class Outcome:
    name: str
    unit: str
    value: float
    baseline: float | None
    ratio: float | None
    target: str
    ok: bool

    def line(self) -> str:
        baseline = "—" if self.baseline is None else f"{_number(self.baseline)} {self.unit}"
        ratio = "—" if self.ratio is None else f"{self.ratio:.2f}"
        verdict = "OK" if self.ok else "ÉCHEC"
        return (
            f"{self.name:<18} {_number(self.value):>9} {self.unit:<3} "
            f"référence {baseline:<12} ratio {ratio:<6} cible {self.target:<12} {verdict}"
        )

    def as_json(self) -> dict[str, Any]:
        return {
            "value": self.value,
            "unit": self.unit,
            "baseline": self.baseline,
            "ratio": self.ratio,
            "target": self.target,
            "ok": self.ok,
        }


def _number(value: float) -> str:
    return f"{value:.3f}" if value < 10 else f"{value:.2f}" if value < 1000 else f"{value:.0f}"


@dataclass(frozen=True)
class Benchmark:
    name: str
    unit: str
    run: Callable[[Context], Result]
    max_value: float | None = None
    max_ratio: float | None = None
    description: str = ""

    @property
    def target(self) -> str:
        parts = []
        if self.max_value is not None:
            parts.append(f"≤ {self.max_value:g} {self.unit}")
        if self.max_ratio is not None:
            parts.append(f"ratio ≤ {self.max_ratio:g}")
        return " et ".join(parts) or "aucune"

    def judge(self, result: Result) -> Outcome:
        ratio = None
        if result.baseline:
            ratio = result.value / result.baseline
        ok = True
        if self.max_value is not None:
            ok = ok and result.value <= self.max_value
        if self.max_ratio is not None:
            ok = ok and ratio is not None and ratio <= self.max_ratio
        return Outcome(self.name, self.unit, result.value, result.baseline, ratio, self.target, ok)


REGISTRY: dict[str, Benchmark] = {}


def benchmark(
    name: str,
    *,
    unit: str,
    max_value: float | None = None,
    max_ratio: float | None = None,
    description: str = "",
) -> Callable[[Callable[[Context], Result]], Callable[[Context], Result]]:
    """Register a benchmark; they run in the order they were declared."""

    def register(func: Callable[[Context], Result]) -> Callable[[Context], Result]:
        if name in REGISTRY:
            raise ValueError(f"benchmark {name!r} declared twice")
        REGISTRY[name] = Benchmark(name, unit, func, max_value, max_ratio, description)
        return func

    return register


# --- measuring --------------------------------------------------------------------------


def median_seconds(func: Callable[[], object], *, repeat: int = 20, warmup: int = 2) -> float:
    """Median wall-clock time of ``func`` over ``repeat`` calls after ``warmup`` calls."""
    for _ in range(warmup):
        func()
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        func()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


# --- the shared data set ----------------------------------------------------------------


class Context:
    """What benchmarks share in one run: the large data set, built or reused once."""

    def __init__(self, db_url: str | None = None, cache_dir: Path = CACHE_DIR) -> None:
        self.db_url = db_url
        self.cache_dir = cache_dir
        self._dataset: Database | None = None

    @property
    def cache_file(self) -> Path:
        return self.cache_dir / f"demo-{DATASET_CLIENTS}-{head_revision()}.sqlite3"

    def dataset(self) -> Database:
        """The 5 000-client demo database (about 100 000 mailboxes), ready to query."""
        if self._dataset is None:
            self._dataset = self._open_dataset()
        return self._dataset

    def offer_dataset(self, path: Path) -> bool:
        """Keep a freshly generated 5 000-client SQLite file as the cache, if none yet."""
        if self.db_url is not None or self.cache_file.exists():
            return False
        self.cache_dir.mkdir(parents=True, exist_ok=True)
        path.replace(self.cache_file)
        return True

    def close(self) -> None:
        if self._dataset is not None:
            self._dataset.dispose()
            self._dataset = None

    def _open_dataset(self) -> Database:
        if self.db_url is not None:
            db = Database(resolve_url(self.db_url))
        else:
            if not self.cache_file.exists():
                self._build_cache_file()
            db = Database(sqlite_url(self.cache_file))
        state = current_state(db)
        if state.status in (SchemaStatus.EMPTY, SchemaStatus.BEHIND):
            upgrade(db)
        elif state.status is not SchemaStatus.CURRENT:
            raise SystemExit(f"Base inutilisable pour les mesures : {db.description}")
        with db.read_session() as session:
            has_clients = session.execute(sa.select(Client.id).limit(1)).first() is not None
        if not has_clients:
            _generate(db, f"jeu de données dans {db.description}")
        return db

    def _build_cache_file(self) -> None:
        self.cache_dir.mkdir(parents=True, exist_ok=True)
        partial = self.cache_file.with_suffix(".partial.sqlite3")
        for leftover in partial.parent.glob(partial.name + "*"):
            leftover.unlink()
        db = Database(sqlite_url(partial))
        try:
            upgrade(db)
            _generate(db, f"jeu de données en cache ({self.cache_file.name})")
        finally:
            db.dispose()
        partial.replace(self.cache_file)


def _generate(db: Database, what: str) -> None:
    print(f"Construction du {what} : {DATASET_CLIENTS} clients…", flush=True)
    start = time.perf_counter()
    summary = generate_demo(db, clients=DATASET_CLIENTS, billing_months=0)
    print(
        f"  {summary.clients} clients, {summary.mailboxes} boîtes, "
        f"{summary.total_rows} lignes en {time.perf_counter() - start:.1f} s",
        flush=True,
    )
