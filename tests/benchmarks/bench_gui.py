"""GUI benchmarks on the 500 000-mailbox SQLite file (see ``large.py``).

They drive the real window offscreen (``QT_QPA_PLATFORM=offscreen`` unless
set otherwise) with a throw-away ``XDG_CONFIG_HOME``, so a developer's saved
layout is neither used nor touched. "Painted" means: the model's signal
came, then the table's viewport was repainted synchronously and a visible
row has text. Between two measures the database worker is drained (the
count that follows a first page is done), so each measure starts idle.
The event loop is only spun here, in the benchmarks, with a ``QEventLoop``.
"""

from __future__ import annotations

import gc
import json
import os
import random
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from PySide6.QtCore import (
    QEventLoop,
    QMessageLogContext,
    QObject,
    Qt,
    QTimer,
    QtMsgType,
    Signal,
    SignalInstance,
    qInstallMessageHandler,
)
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QAbstractItemView, QApplication

from desktop.app import ORGANISATION, build_window
from desktop.db.engine import Database, sqlite_url
from desktop.domain.enums import MailboxStatus
from desktop.ui.db_worker import DbWorker, Job
from desktop.ui.main_window import APP_TITLE, MainWindow
from desktop.ui.models.paged_model import MAX_CACHED_PAGES, PAGE_SIZE
from desktop.ui.tabs.list_panel import ListPanel
from desktop.ui.tabs.specs import MAILBOXES
from tests.benchmarks.harness import Context, Result, benchmark, median_seconds
from tests.benchmarks.large import grown_file

MAILBOX_TAB = 2
TIMEOUT_S = 60.0
START_RUNS = 5
OPEN_RUNS = 5
KEYSTROKE_RUNS = 3
SCROLL_RUNS = 3
MEMORY_PAGES = 300

# (text already typed, the character typed next): names in addresses and display
# names, client names, domain names; common and rare.
KEYSTROKES = (
    ("dupon", "t"),
    ("marti", "n"),
    ("lebru", "n"),
    ("boulangeri", "e"),
    ("pharmacie-g", "a"),
    ("transport", "s"),
)

_config_home: tempfile.TemporaryDirectory[str] | None = None


# --- Qt helpers -------------------------------------------------------------------------


def application() -> QApplication:
    """The one QApplication of the run, offscreen, with throw-away QSettings."""
    global _config_home
    app = QApplication.instance()
    if app is None:
        os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
        _config_home = tempfile.TemporaryDirectory(prefix="bench-gui-config-")
        os.environ["XDG_CONFIG_HOME"] = _config_home.name
        qInstallMessageHandler(_qt_message)
        app = QApplication([sys.argv[0]])
        app.setApplicationName(APP_TITLE)
        app.setOrganizationName(ORGANISATION)
    assert isinstance(app, QApplication)
    return app


def _qt_message(kind: QtMsgType, _context: QMessageLogContext, message: str) -> None:
    """Qt's messages on stderr, but for the offscreen plugin's noise at every show()."""
    if "propagateSizeHints" not in message:
        print(message, file=sys.stderr)


def wait_for(
    signal: SignalInstance,
    until: Callable[..., bool] = lambda *_args: True,
    *,
    what: str,
    timeout: float = TIMEOUT_S,
) -> None:
    """Spin an event loop until ``signal`` fires with arguments ``until`` accepts."""
    loop = QEventLoop()
    seen = False

    def check(*args: Any) -> None:
        nonlocal seen
        if not seen and until(*args):
            seen = True
            loop.quit()

    timer = QTimer()
    timer.setSingleShot(True)
    timer.timeout.connect(loop.quit)
    signal.connect(check)
    timer.start(int(timeout * 1000))
    try:
        loop.exec()
    finally:
        timer.stop()
        signal.disconnect(check)
    if not seen:
        raise SystemExit(f"{what} : rien après {timeout:g} s")


class _Flag(QObject):
    raised = Signal()


def drain(worker: DbWorker) -> None:
    """Wait until the database worker is idle.

    Twice: a first page delivered while the first marker waits queues its count
    behind that marker.
    """
    for _ in range(2):
        flag = _Flag()
        worker.submit(
            Job(work=lambda: None, on_done=lambda _r, f=flag: f.raised.emit(), on_error=print)
        )
        wait_for(flag.raised, what="file du worker")


def open_window(db: Database) -> MainWindow:
    """A fresh main window, shown, on the mailboxes tab, its first rows there and counted."""
    window = build_window(db, "banc")
    window.show()
    window.show_tab(MAILBOX_TAB)
    drain(window.worker)
    panel = mailbox_panel(window)
    if panel.model.total is None:  # the count follows the first page after a pause
        wait_for(panel.model.total_changed, lambda total: total is not None, what="comptage")
    paint(panel)
    return window


def close_window(window: MainWindow) -> None:
    drain(window.worker)
    window.close()  # saves the layout into the throw-away settings, stops the worker
    window.deleteLater()
    QApplication.processEvents()


def mailbox_panel(window: MainWindow) -> ListPanel:
    return window.record_tabs[MAILBOX_TAB].panel


def paint(panel: ListPanel) -> None:
    """Repaint the table now; a visible row must have text."""
    table = panel.table
    table.viewport().repaint()
    row = max(table.rowAt(0), 0)
    if not panel.model.index(row, 0).data():
        raise SystemExit(f"{panel.spec.title} : la ligne {row} est vide après l'affichage")


def visible_rows(panel: ListPanel) -> range:
    table = panel.table
    first = table.rowAt(0)
    last = table.rowAt(table.viewport().height() - 1)
    if last < 0:
        last = panel.model.rowCount() - 1
    return range(max(first, 0), last + 1)


def rows_loaded(panel: ListPanel, rows: range) -> bool:
    model = panel.model
    return all(model.index(row, 0).data() for row in rows)


def wait_rows(panel: ListPanel, what: str) -> None:
    """After a scroll: paint (which asks for the pages), then wait for the visible rows."""
    panel.table.viewport().repaint()
    rows = visible_rows(panel)
    if not rows_loaded(panel, rows):
        wait_for(panel.model.dataChanged, lambda *_a: rows_loaded(panel, rows), what=what)
    paint(panel)


def first_page(window: MainWindow, act: Callable[[], object], what: str) -> float:
    """Seconds from ``act()`` to the mailboxes' first page shown and painted.

    Then the count that follows is awaited, outside the measure.
    """
    panel = mailbox_panel(window)
    start = time.perf_counter()
    act()
    wait_for(panel.model.first_page_shown, what=what)
    paint(panel)
    elapsed = time.perf_counter() - start
    drain(window.worker)
    return elapsed


def database(ctx: Context) -> Database:
    application()
    return Database(sqlite_url(grown_file(ctx)))


def show(label: str, seconds: float, baseline_ms: float | None = None) -> None:
    """One detail line under the benchmark's own (the harness prints that one)."""
    plain = "" if baseline_ms is None else f"   (SQL brut {baseline_ms:7.1f} ms)"
    print(f"    {label:<30} {seconds * 1000:8.1f} ms{plain}", flush=True)


# --- plain SQL baselines ----------------------------------------------------------------

_ROWS_SQL = """
SELECT mailbox.id, mailbox.address, mailbox.display_name, mailbox.kind, mailbox.status,
       mailbox.quota_gb, "plan".name, product_line.name, mailbox.client_id, client.name,
       domain.name, contract.number, mailbox.activated_on
FROM mailbox
JOIN client ON mailbox.client_id = client.id
JOIN domain ON mailbox.domain_id = domain.id
JOIN "plan" ON mailbox.plan_id = "plan".id
JOIN product_line ON mailbox.product_line_id = product_line.id
JOIN contract ON mailbox.contract_id = contract.id
"""
_SEARCH_SQL = """
WHERE mailbox.address LIKE :p ESCAPE '\\' OR mailbox.display_name LIKE :p ESCAPE '\\'
   OR mailbox.client_id IN (SELECT id FROM client WHERE client.name LIKE :p ESCAPE '\\')
"""
_STATUS_ORDER = (
    "CASE mailbox.status "
    + " ".join(f"WHEN '{status.value}' THEN {i}" for i, status in enumerate(MailboxStatus))
    + " END"
)
_SORT_SQL = {
    "address": "mailbox.address",
    "display_name": "lower(mailbox.display_name)",
    "client": "lower(client.name)",
    "status": _STATUS_ORDER,
    "product_line": "product_line.name",
    "plan": 'lower("plan".name)',
    "activated_on": "mailbox.activated_on",
}


def _page_sql(sort: str = "address", descending: bool = False, where: str = "") -> str:
    way = "DESC" if descending else "ASC"
    return (
        _ROWS_SQL
        + where
        + f" ORDER BY {_SORT_SQL[sort]} {way} NULLS LAST, mailbox.id {way}"
        + " LIMIT :limit OFFSET :offset"
    )


# A page deep in the list, the plain way that scales: OFFSET walks the address
# index alone, then only the page's rows are joined (OFFSET on the joined SELECT
# joins every row it skips: seconds at the end of 500 000).
_LAST_PAGE_SQL = (
    _ROWS_SQL
    + "WHERE mailbox.id IN (SELECT id FROM mailbox ORDER BY address, id"
    + " LIMIT :limit OFFSET :offset) ORDER BY mailbox.address, mailbox.id"
)


def plain_ms(path: Path, sql: str, params: dict[str, object], repeat: int = 5) -> float:
    """Median ms of ``sql`` run with the bare sqlite3 driver, rows fetched."""
    connection = sqlite3.connect(path)
    try:
        return (
            median_seconds(
                lambda: connection.execute(sql, params).fetchall(), repeat=repeat, warmup=1
            )
            * 1000
        )
    finally:
        connection.close()


# --- gui_start --------------------------------------------------------------------------

PROBE = Path(__file__).with_name("gui_start_probe.py")


def _probe(mode: str, path: Path) -> dict[str, Any]:
    env = {**os.environ, "QT_QPA_PLATFORM": os.environ.get("QT_QPA_PLATFORM", "offscreen")}
    with tempfile.TemporaryDirectory(prefix="bench-gui-start-") as config:
        env["XDG_CONFIG_HOME"] = config
        start = time.perf_counter()
        done = subprocess.run(
            [sys.executable, str(PROBE), mode, str(path), repr(start)],
            env=env,
            capture_output=True,
            text=True,
            timeout=120,
        )
    if done.returncode != 0:
        raise SystemExit(f"gui_start ({mode}) : échec\n{done.stdout}{done.stderr}")
    return json.loads(done.stdout.strip().splitlines()[-1])


@benchmark(
    "gui_start",
    unit="s",
    max_ratio=1.3,
    description=(
        "Du lancement du processus à la fenêtre principale affichée et ses premières lignes "
        "peintes (open_database + upgrade + build_window sur 500 000 boîtes), médiane de 5 ; "
        "référence : le même processus, mêmes imports, qui affiche un QMainWindow nu avec une "
        "QTableView vide."
    ),
)
def gui_start(ctx: Context) -> Result:
    path = grown_file(ctx)
    _probe("app", path)  # warm-up: the file and the modules in the OS cache
    _probe("bare", path)
    apps, bares = [], []
    for _ in range(START_RUNS):
        apps.append(_probe("app", path))
        bares.append(_probe("bare", path))
    for name in apps[0]["phases"]:
        show(f"app: {name}", statistics.median(run["phases"][name] for run in apps))
    for name in bares[0]["phases"]:
        show(f"bare: {name}", statistics.median(run["phases"][name] for run in bares))
    return Result(
        statistics.median(run["total"] for run in apps),
        statistics.median(run["total"] for run in bares),
    )


# --- gui_mailboxes_open -----------------------------------------------------------------


@benchmark(
    "gui_mailboxes_open",
    unit="ms",
    max_value=100,
    description=(
        "Onglet des boîtes construit à neuf (ListPanel de MAILBOXES, 500 000 boîtes) jusqu'à "
        "la première page affichée et peinte, médiane de 5 ; référence : les 100 mêmes "
        "lignes et leurs jointures en SQL brut (sqlite3)."
    ),
)
def gui_mailboxes_open(ctx: Context) -> Result:
    db = database(ctx)
    window = open_window(db)
    size = mailbox_panel(window).size()
    times = []
    try:
        for _ in range(OPEN_RUNS):
            start = time.perf_counter()
            panel = ListPanel(MAILBOXES, db, window.worker)
            panel.resize(size)
            panel.show()
            wait_for(panel.model.first_page_shown, what="gui_mailboxes_open")
            paint(panel)
            times.append(time.perf_counter() - start)
            show("ouverture", times[-1])
            drain(window.worker)
            panel.close()
            panel.deleteLater()
        baseline = plain_ms(grown_file(ctx), _page_sql(), {"limit": PAGE_SIZE, "offset": 0})
    finally:
        close_window(window)
        db.dispose()
    return Result(statistics.median(times) * 1000, baseline)


# --- gui_filter_keystroke ---------------------------------------------------------------


@benchmark(
    "gui_filter_keystroke",
    unit="ms",
    max_value=100,
    description=(
        "Une lettre de plus tapée dans la recherche des boîtes (« dupon » → « dupont », un nom "
        "de client, un domaine…) jusqu'à la première page affichée et peinte ; médiane sur "
        "les termes (chacun médiane de 3) ; référence : la même page en SQL brut (sqlite3)."
    ),
)
def gui_filter_keystroke(ctx: Context) -> Result:
    db = database(ctx)
    window = open_window(db)
    panel = mailbox_panel(window)
    search = panel.search
    path = grown_file(ctx)
    figures, baselines = [], []
    try:
        for typed, char in KEYSTROKES:
            runs = []
            for _ in range(KEYSTROKE_RUNS):
                first_page(window, lambda t=typed: search.setText(t), "recherche")
                runs.append(first_page(window, lambda c=char: QTest.keyClicks(search, c), "frappe"))
            if search.text() != typed + char or panel.model.rowCount() == 0:
                raise SystemExit(f"gui_filter_keystroke : « {search.text()} » ne trouve rien")
            figures.append(statistics.median(runs))
            params = {"p": f"%{typed + char}%", "limit": PAGE_SIZE, "offset": 0}
            baselines.append(plain_ms(path, _page_sql(where=_SEARCH_SQL), params, repeat=3))
            show(f"{typed} → {typed + char}", figures[-1], baselines[-1])
    finally:
        close_window(window)
        db.dispose()
    return Result(statistics.median(figures) * 1000, statistics.median(baselines))


# --- gui_sort ---------------------------------------------------------------------------


@benchmark(
    "gui_sort",
    unit="ms",
    max_value=200,
    description=(
        "Tri des boîtes par une colonne (table.sortByColumn, comme un clic sur l'en-tête), "
        "croissant puis décroissant, jusqu'à la première page affichée et peinte ; médiane "
        "sur les colonnes ; référence : la même page en SQL brut (sqlite3)."
    ),
)
def gui_sort(ctx: Context) -> Result:
    db = database(ctx)
    window = open_window(db)
    panel = mailbox_panel(window)
    path = grown_file(ctx)
    # The list starts sorted by address, ascending: address comes last.
    columns = [(i, c) for i, c in enumerate(MAILBOXES.columns) if c.sort is not None]
    columns = columns[1:] + columns[:1]
    figures, baselines = [], []
    try:
        for index, column in columns:
            assert column.sort is not None
            for order in (Qt.SortOrder.AscendingOrder, Qt.SortOrder.DescendingOrder):
                figures.append(
                    first_page(
                        window,
                        lambda i=index, o=order: panel.table.sortByColumn(i, o),
                        f"tri {column.title}",
                    )
                )
                descending = order is Qt.SortOrder.DescendingOrder
                sql = _page_sql(column.sort, descending)
                params = {"limit": PAGE_SIZE, "offset": 0}
                baselines.append(plain_ms(path, sql, params, repeat=3))
                show(f"{column.title} {'↓' if descending else '↑'}", figures[-1], baselines[-1])
    finally:
        close_window(window)
        db.dispose()
    return Result(statistics.median(figures) * 1000, statistics.median(baselines))


# --- gui_scroll_end ---------------------------------------------------------------------


@benchmark(
    "gui_scroll_end",
    unit="ms",
    max_value=200,
    description=(
        "table.scrollToBottom() sur les 500 000 boîtes jusqu'à la dernière page arrivée et "
        "peinte (la dernière ligne visible a du texte), médiane de 3 ; référence : les 100 "
        "dernières lignes en SQL brut (sqlite3, OFFSET sur l'index des adresses, puis les "
        "jointures de ces lignes seulement)."
    ),
)
def gui_scroll_end(ctx: Context) -> Result:
    db = database(ctx)
    window = open_window(db)
    panel = mailbox_panel(window)
    model, table = panel.model, panel.table
    total = model.rowCount()
    times = []
    try:
        for _ in range(SCROLL_RUNS):
            # Reloaded: the last page is not in the model's cache.
            first_page(window, panel.refresh, "actualisation")
            if model.total is None:
                wait_for(model.total_changed, lambda count: count is not None, what="comptage")
            if model.rowCount() != total:
                raise SystemExit(f"gui_scroll_end : {model.rowCount()} lignes, {total} attendues")
            start = time.perf_counter()
            table.scrollToBottom()
            wait_rows(panel, "gui_scroll_end")
            times.append(time.perf_counter() - start)
            show("fin de liste", times[-1])
            last = model.index(total - 1, 0)
            if not last.data() or not table.visualRect(last).intersects(table.viewport().rect()):
                raise SystemExit("gui_scroll_end : la dernière ligne n'est pas peinte")
            table.scrollToTop()
        params = {"limit": PAGE_SIZE, "offset": total - PAGE_SIZE}
        baseline = plain_ms(grown_file(ctx), _LAST_PAGE_SQL, params)
    finally:
        close_window(window)
        db.dispose()
    return Result(statistics.median(times) * 1000, baseline)


# --- gui_memory -------------------------------------------------------------------------


def rss_mb() -> float:
    """Resident memory of this process (VmRSS), in MB."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    raise SystemExit("gui_memory : VmRSS introuvable (Linux seulement)")


@benchmark(
    "gui_memory",
    unit="MB",
    max_value=60,
    description=(
        f"Croissance de la mémoire résidente : onglet des boîtes ouvert à neuf, {MEMORY_PAGES} "
        "défilements à des positions au hasard puis retour en haut (le modèle garde au plus "
        f"{MAX_CACHED_PAGES} pages) ; référence : les 500 000 lignes et leurs jointures "
        "chargées en SQL brut (sqlite3, fetchall), ce qu'une liste sans pages coûterait."
    ),
)
def gui_memory(ctx: Context) -> Result:
    db = database(ctx)
    window = open_window(db)  # the worker and the modules, outside the measure
    size = mailbox_panel(window).size()
    gc.collect()
    before = rss_mb()
    panel = ListPanel(MAILBOXES, db, window.worker)
    try:
        panel.resize(size)
        panel.show()
        wait_for(panel.model.first_page_shown, what="gui_memory")
        drain(window.worker)
        paint(panel)
        total = panel.model.rowCount()
        chance = random.Random(20240517)
        for _ in range(MEMORY_PAGES):
            row = chance.randrange(total)
            panel.table.scrollTo(
                panel.model.index(row, 0), QAbstractItemView.ScrollHint.PositionAtTop
            )
            wait_rows(panel, f"gui_memory (ligne {row})")
        panel.table.scrollToTop()
        wait_rows(panel, "gui_memory (retour)")
        drain(window.worker)
        gc.collect()
        value = rss_mb() - before
        kept = len(panel.model._pages)
        print(f"    {kept} pages gardées sur {total // PAGE_SIZE}", flush=True)
        if kept > MAX_CACHED_PAGES:
            raise SystemExit(f"gui_memory : {kept} pages gardées (> {MAX_CACHED_PAGES})")
    finally:
        panel.close()
        panel.deleteLater()
        close_window(window)
        db.dispose()
    return Result(value, _all_rows_mb(grown_file(ctx)))


def _all_rows_mb(path: Path) -> float:
    """RSS growth of holding every mailbox row with its joins as sqlite3 tuples."""
    gc.collect()
    before = rss_mb()
    connection = sqlite3.connect(path)
    try:
        rows = connection.execute(_ROWS_SQL).fetchall()
        grown = rss_mb() - before
    finally:
        connection.close()
    del rows
    gc.collect()
    return grown
