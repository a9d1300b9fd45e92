"""``export_mailboxes``: the 500 000 mailboxes of the large data set exported to .xlsx.

The export (``export_table``: count, streamed SELECT, typed and styled cells, file
written atomically) runs in a fresh child process, which reports its time and its
memory growth: peak resident memory (VmHWM) during the export minus the resident
memory (VmRSS) just before it, in MB. The baseline, measured in this process, is
bare openpyxl in write-only mode appending the same values — the export's own
tuples, fetched beforehand and not timed — and saving the workbook. The target:
at least 0.8 × the baseline's rows per second (time ratio ≤ 1.25) and a memory
growth of at most 100 MB (checked here: a miss stops the run).
"""

from __future__ import annotations

import gc
import multiprocessing
import tempfile
import time
from pathlib import Path

from openpyxl import Workbook  # type: ignore[import-untyped]

from desktop.db.engine import Database, resolve_url, sqlite_url
from desktop.services.export import export_rows, export_table
from desktop.services.listing import ListQuery
from tests.benchmarks.harness import Context, Result, benchmark
from tests.benchmarks.large import TARGET_MAILBOXES, grown_file

MAX_RATIO = 1.25
"""0.8 × the baseline's rows per second."""
MAX_GROWTH_MB = 100.0


def _status_mb(field: str) -> float:
    """A memory figure of this process from /proc/self/status (Linux), in MB."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(f"{field}:"):
            return int(line.split()[1]) / 1024
    raise SystemExit(f"export_mailboxes : {field} introuvable (Linux seulement)")


def _export_in_child(url: str, target: str) -> tuple[float, float, int]:
    """In a fresh process: (seconds, memory growth in MB, rows) of one export."""
    db = Database(resolve_url(url))
    try:
        gc.collect()
        before = _status_mb("VmRSS")
        start = time.perf_counter()
        count = export_table(db, "mailboxes", Path(target))
        seconds = time.perf_counter() - start
        return seconds, _status_mb("VmHWM") - before, count
    finally:
        db.dispose()


def _baseline_seconds(db: Database, target: Path) -> tuple[float, int]:
    """Bare openpyxl write-only appending the export's values (fetched first)."""
    rows = list(export_rows(db, "mailboxes", ListQuery(sort="address")))
    gc.collect()
    start = time.perf_counter()
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("Boîtes aux lettres")
    for row in rows:
        sheet.append(row)
    workbook.save(target)
    return time.perf_counter() - start, len(rows)


@benchmark(
    "export_mailboxes",
    unit="s",
    max_ratio=MAX_RATIO,
    description=(
        f"Export Excel des {TARGET_MAILBOXES} boîtes (export_table : lecture en flux, cellules "
        "typées, fichier atomique) dans un processus neuf, croissance mémoire ≤ "
        f"{MAX_GROWTH_MB:g} Mo (VmHWM - VmRSS) ; référence : openpyxl write-only nu écrivant "
        "les mêmes valeurs, déjà lues."
    ),
)
def export_mailboxes(ctx: Context) -> Result:
    url = ctx.db_url or str(sqlite_url(grown_file(ctx)))
    ctx.close()
    ctx.cache_dir.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=ctx.cache_dir) as folder:
        target = Path(folder) / "export.xlsx"
        spawn = multiprocessing.get_context("spawn")
        with spawn.Pool(1) as pool:
            seconds, growth, count = pool.apply(_export_in_child, (url, str(target)))
        db = Database(resolve_url(url))
        try:
            baseline, baseline_rows = _baseline_seconds(db, Path(folder) / "baseline.xlsx")
        finally:
            db.dispose()
    print(
        f"    {count} lignes en {seconds:.1f} s ({count / seconds:,.0f} lignes/s), "
        f"référence {baseline:.1f} s ({baseline_rows / baseline:,.0f} lignes/s), "
        f"mémoire +{growth:.0f} Mo",
        flush=True,
    )
    if count != baseline_rows:
        raise SystemExit(f"export_mailboxes : {count} lignes exportées, {baseline_rows} lues")
    if growth > MAX_GROWTH_MB:
        raise SystemExit(f"export_mailboxes : mémoire +{growth:.0f} Mo (> {MAX_GROWTH_MB:g})")
    return Result(seconds, baseline)
