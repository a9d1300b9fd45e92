"""Run the benchmarks: ``python tests/benchmarks/run.py [NAME…] [--json FILE] [--db URL]``.

Prints one line per benchmark (figure, unit, baseline measured in the same
run, ratio, target, OK/ÉCHEC) and exits 1 when any target is missed, so it
can gate a change. Benchmarks are declared below with ``@benchmark``; more
can live in ``tests/benchmarks/bench_*.py`` modules, imported automatically.
"""

from __future__ import annotations

import argparse
import importlib
import json
import sqlite3
import sys
import tempfile
import time
from datetime import date
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from desktop.db.engine import Database, sqlite_url  # noqa: E402
from desktop.db.schema import upgrade  # noqa: E402
from desktop.services.demo import generate_demo  # noqa: E402
from desktop.services.listing import ListQuery  # noqa: E402
from desktop.services.mailboxes import list_mailboxes  # noqa: E402
from tests.benchmarks.harness import (  # noqa: E402
    DATASET_CLIENTS,
    REGISTRY,
    Context,
    Outcome,
    Result,
    benchmark,
    median_seconds,
)

# --- demo_5000 --------------------------------------------------------------------------


@benchmark(
    "demo_5000",
    unit="s",
    max_value=60,
    description=(
        "Génération de la démo (5 000 clients, ~100 000 boîtes) dans un fichier SQLite neuf ; "
        "référence : le même nombre de lignes de la taille d'une boîte insérées avec "
        "sqlite3.executemany dans une table sans index."
    ),
)
def demo_5000(ctx: Context) -> Result:
    ctx.cache_dir.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=ctx.cache_dir) as folder:
        path = Path(folder) / "demo.sqlite3"
        db = Database(sqlite_url(path))
        try:
            upgrade(db)
            start = time.perf_counter()
            summary = generate_demo(db, clients=DATASET_CLIENTS, billing_months=0)
            value = time.perf_counter() - start
        finally:
            db.dispose()
        if ctx.offer_dataset(path):
            print(f"  (fichier gardé comme jeu de données en cache : {ctx.cache_file.name})")
        baseline = _raw_insert_seconds(Path(folder) / "raw.sqlite3", summary.total_rows)
    return Result(value, baseline)


_RAW_COLUMNS = (
    "id INTEGER PRIMARY KEY, client_id INTEGER, product_line_id INTEGER, contract_id INTEGER, "
    "domain_id INTEGER, plan_id INTEGER, local_part TEXT, address TEXT, display_name TEXT, "
    "kind TEXT, quota_gb INTEGER, status TEXT, requested_on TEXT, activated_on TEXT, "
    "non_renewal_requested_on TEXT, ends_on TEXT, terminated_on TEXT, deleted_on TEXT, "
    "password_issued_at TEXT, password_issued_by TEXT, version INTEGER, created_at TEXT, "
    "updated_at TEXT, updated_by TEXT"
)


def _raw_insert_seconds(path: Path, count: int) -> float:
    """Seconds to insert ``count`` mailbox-like rows with the bare driver, one transaction."""
    day = date(2024, 5, 17).isoformat()
    stamp = "2024-05-17 08:30:00.000000"
    rows = [
        (
            i, i // 20 + 1, 1, i // 20 + 1, i // 20 + 1, 4, f"prenom.nom{i}",
            f"prenom.nom{i}@entreprise-{i // 20}.fr", f"Prénom Nom {i}", "user", 10,
            "active", day, day, None, None, None, None, stamp, "a.le-goff", 1, stamp, stamp,
            None,
        )
        for i in range(1, count + 1)
    ]  # fmt: skip
    marks = ", ".join("?" * len(rows[0]))
    connection = sqlite3.connect(path, isolation_level=None)
    try:
        connection.execute("PRAGMA journal_mode = WAL")
        connection.execute("PRAGMA synchronous = FULL")
        connection.execute(f"CREATE TABLE mailbox ({_RAW_COLUMNS})")
        start = time.perf_counter()
        connection.execute("BEGIN IMMEDIATE")
        connection.executemany(f"INSERT INTO mailbox VALUES ({marks})", rows)
        connection.execute("COMMIT")
        return time.perf_counter() - start
    finally:
        connection.close()


# --- list_mailboxes ---------------------------------------------------------------------

SEARCH = "martin"
PAGE = 100

# The plain SQL a developer would write for the same page: the COUNT on the
# mailbox table alone (the client's name through an IN sub-select), the page
# with the joins that bring the names to show.
_MATCH = """
WHERE lower(mailbox.address) LIKE {p} ESCAPE '\\'
   OR lower(mailbox.display_name) LIKE {p} ESCAPE '\\'
   OR mailbox.client_id IN (
       SELECT client.id FROM client WHERE lower(client.name) LIKE {p} ESCAPE '\\')
"""
_COUNT_SQL = "SELECT count(*) FROM mailbox" + _MATCH
_PAGE_SQL = (
    """
SELECT mailbox.id, mailbox.address, mailbox.display_name, mailbox.kind, mailbox.status,
       mailbox.quota_gb, "plan".name, product_line.name, mailbox.client_id, client.name,
       domain.name, contract.number, mailbox.activated_on
FROM mailbox
JOIN client ON mailbox.client_id = client.id
JOIN domain ON mailbox.domain_id = domain.id
JOIN "plan" ON mailbox.plan_id = "plan".id
JOIN product_line ON mailbox.product_line_id = product_line.id
JOIN contract ON mailbox.contract_id = contract.id"""
    + _MATCH
    + "ORDER BY mailbox.address ASC NULLS LAST, mailbox.id ASC LIMIT {p}"
)


@benchmark(
    "list_mailboxes",
    unit="ms",
    max_ratio=3,
    description=(
        f"Une page de {PAGE} boîtes filtrée par « {SEARCH} » sur ~100 000 boîtes via "
        "desktop.services.mailboxes.list_mailboxes (médiane de 20 appels) ; référence : "
        "la même requête (COUNT + page) en SQL brut par le curseur DB-API."
    ),
)
def list_mailboxes_page(ctx: Context) -> Result:
    db = ctx.dataset()
    query = ListQuery(search=SEARCH, limit=PAGE)
    page = list_mailboxes(db, query)
    if page.total <= PAGE or len(page.rows) != PAGE:
        raise SystemExit(
            f"list_mailboxes : {page.total} résultats, le jeu de données est trop petit"
        )
    value = median_seconds(lambda: list_mailboxes(db, query)) * 1000

    mark = "?" if db.is_sqlite else "%s"
    page_sql, count_sql = _PAGE_SQL.format(p=mark), _COUNT_SQL.format(p=mark)
    pattern = f"%{SEARCH}%"
    connection = db.engine.raw_connection()

    def raw_page() -> tuple[int, list[Any]]:
        cursor = connection.cursor()
        try:
            cursor.execute(count_sql, (pattern, pattern, pattern))
            (total,) = cursor.fetchone() or (0,)
            cursor.execute(page_sql, (pattern, pattern, pattern, PAGE))
            return int(total), list(cursor.fetchall())
        finally:
            cursor.close()

    try:
        total, rows = raw_page()
        if total != page.total or [r[0] for r in rows] != [r.id for r in page.rows]:
            raise SystemExit("list_mailboxes : la requête de référence ne donne pas la même page")
        baseline = median_seconds(raw_page) * 1000
    finally:
        connection.rollback()
        connection.close()
    return Result(value, baseline)


# --- running ----------------------------------------------------------------------------


def _discover() -> None:
    """Import the ``bench_*.py`` modules next to this file: they register more benchmarks."""
    for module in sorted(Path(__file__).parent.glob("bench_*.py")):
        importlib.import_module(f"tests.benchmarks.{module.stem}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description="Mesures de performance de Back-Office Messagerie (code retour 1 si une "
        "cible est manquée)."
    )
    parser.add_argument(
        "names", nargs="*", metavar="NAME", help="mesures à lancer (défaut : toutes)"
    )
    parser.add_argument("--json", type=Path, metavar="FILE", help="écrire les résultats en JSON")
    parser.add_argument(
        "--db",
        metavar="URL",
        help="base du jeu de données (vide ou déjà remplie), par ex. postgresql+psycopg://… ; "
        "défaut : fichier SQLite en cache dans tests/benchmarks/.cache/",
    )
    parser.add_argument("--list", action="store_true", help="lister les mesures et leurs cibles")
    args = parser.parse_args(argv)
    _discover()
    if args.list:
        for bench in REGISTRY.values():
            print(f"{bench.name:<18} cible {bench.target:<16} {bench.description}")
        return 0
    unknown = [name for name in args.names if name not in REGISTRY]
    if unknown:
        parser.error(f"mesure inconnue : {', '.join(unknown)} (connues : {', '.join(REGISTRY)})")
    context = Context(args.db)
    outcomes: dict[str, Outcome] = {}
    try:
        for name in args.names or list(REGISTRY):
            bench = REGISTRY[name]
            outcome = bench.judge(bench.run(context))
            outcomes[name] = outcome
            print(outcome.line(), flush=True)
    finally:
        context.close()
    if args.json is not None:
        report = {name: outcome.as_json() for name, outcome in outcomes.items()}
        args.json.write_text(json.dumps(report, indent=2, ensure_ascii=False) + "\n")
    return 0 if all(outcome.ok for outcome in outcomes.values()) else 1


if __name__ == "__main__":
    sys.exit(main())
