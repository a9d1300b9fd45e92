"""The large data set of the GUI benchmarks: the 5 000-client demo grown to 500 000 mailboxes.

The demo gives about 100 000 mailboxes; each one is copied with a numbered
local part (``jean.dupont.2@…``) on the same domain, contract and plan until
the table holds the target, so the copies are as realistic as the originals.
The grown file is cached next to the demo cache, keyed by the same revision.
"""

from __future__ import annotations

import shutil
import sqlite3
import time
from pathlib import Path

from tests.benchmarks.harness import Context

TARGET_MAILBOXES = 500_000


def grown_file(ctx: Context, target: int = TARGET_MAILBOXES) -> Path:
    """The cached SQLite file holding ``target`` mailboxes, built once."""
    demo = ctx.cache_file
    grown = demo.with_name(f"{demo.stem}-grown-{target}.sqlite3")
    if grown.exists():
        return grown
    ctx.dataset()  # builds the demo cache file if needed
    ctx.close()
    partial = grown.with_suffix(".partial.sqlite3")
    shutil.copyfile(demo, partial)
    start = time.perf_counter()
    _grow(partial, target)
    partial.replace(grown)
    print(f"  {target} boîtes en {time.perf_counter() - start:.1f} s ({grown.name})", flush=True)
    return grown


def _grow(path: Path, target: int) -> None:
    connection = sqlite3.connect(path)
    try:
        columns = [row[1] for row in connection.execute("PRAGMA table_info(mailbox)")]
        (original,) = connection.execute("SELECT count(*) FROM mailbox").fetchone()
        copies = -(-target // original) - 1
        copied = [c for c in columns if c != "id"]
        renamed = {
            "local_part": "m.local_part || '.' || n.k",
            "address": "m.local_part || '.' || n.k || substr(m.address, instr(m.address, '@'))",
        }
        select = ", ".join(renamed.get(c, f"m.{c}") for c in copied)
        with connection:
            connection.execute(
                f"""
                WITH RECURSIVE n(k) AS (SELECT 2 UNION ALL SELECT k + 1 FROM n WHERE k < ?)
                INSERT INTO mailbox ({", ".join(copied)})
                SELECT {select} FROM mailbox AS m, n WHERE m.id <= ?
                ORDER BY n.k, m.id LIMIT ?
                """,
                (copies + 1, _max_id(connection), target - original),
            )
        connection.execute("ANALYZE")
    finally:
        connection.close()


def _max_id(connection: sqlite3.Connection) -> int:
    (value,) = connection.execute("SELECT max(id) FROM mailbox").fetchone()
    return int(value)
