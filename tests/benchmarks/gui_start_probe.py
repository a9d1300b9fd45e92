"""Start-up probe of ``gui_start``: ``python gui_start_probe.py app|bare DB_FILE START``.

``START`` is the parent's ``time.perf_counter()`` taken just before it started
this process (the clock is system-wide on Linux), so the figures include the
interpreter's own start. Both modes import the same modules first, so imports
cost the same; then

- ``app`` opens the file as ``desktop.app.run`` does (``open_database`` and
  ``upgrade``), builds the window with ``desktop.app.build_window``, shows it
  and waits until the current tab's first page is in its table and painted;
- ``bare`` shows a plain ``QMainWindow`` holding an empty ``QTableView``.

Prints one JSON line: ``{"total": seconds, "phases": {name: seconds since START}}``.
Needs ``QT_QPA_PLATFORM`` (offscreen) and a throw-away ``XDG_CONFIG_HOME``.
"""

from __future__ import annotations

import json
import os
import sys
import time
from pathlib import Path

START = float(sys.argv[3])
phases: dict[str, float] = {"python": time.perf_counter() - START}

ROOT = Path(__file__).resolve().parents[2]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

import sqlalchemy  # noqa: E402, F401
from PySide6.QtCore import QEventLoop, QTimer  # noqa: E402
from PySide6.QtWidgets import QApplication, QMainWindow, QTableView  # noqa: E402

import desktop.app  # noqa: E402
import desktop.db.engine  # noqa: E402, F401
import desktop.ui.main_window  # noqa: E402

TIMEOUT_S = 60


def mark(name: str) -> None:
    phases[name] = time.perf_counter() - START


def main() -> None:
    mode, db_file = sys.argv[1], sys.argv[2]
    mark("imports")
    app = QApplication([sys.argv[0]])
    app.setApplicationName(desktop.ui.main_window.APP_TITLE)
    app.setOrganizationName(desktop.app.ORGANISATION)
    mark("qapplication")
    if mode == "app":
        db = desktop.app.open_database(db_file)
        desktop.app.upgrade(db)
        mark("database")
        window = desktop.app.build_window(db, "banc")
        table = window.current_tab.panel.table
        mark("window")
        loop = QEventLoop()
        window.current_tab.panel.model.first_page_shown.connect(loop.quit)
        window.show()
        mark("shown")
        QTimer.singleShot(TIMEOUT_S * 1000, loop.quit)
        loop.exec()
        mark("first_page")
    elif mode == "bare":
        window = QMainWindow()
        window.resize(1280, 760)
        table = QTableView()
        window.setCentralWidget(table)
        window.show()
        mark("shown")
    else:
        raise SystemExit(f"unknown mode {mode!r}")
    app.processEvents()
    table.viewport().repaint()
    total = time.perf_counter() - START
    if mode == "app" and not table.model().index(0, 0).data():
        raise SystemExit("gui_start: the first row is empty after the first page")
    print(json.dumps({"total": total, "phases": phases}), flush=True)
    os._exit(0)  # the window's worker may still be counting: no teardown to wait for


if __name__ == "__main__":
    main()
