"""Composition root of the GUI: database → services → main window."""

from __future__ import annotations

import functools
import sys
from collections.abc import Sequence

from desktop.db.connect import open_database
from desktop.db.schema import upgrade
from desktop.errors import UserError
from desktop.services.demo import generate_demo
from desktop.services.overview import database_overview


def run(db_value: str | None, argv: Sequence[str] = ()) -> int:
    """Open the application window on the named database; the exit status."""
    from PySide6.QtWidgets import QApplication, QMessageBox

    from desktop.ui.main_window import APP_TITLE, MainWindow

    app = QApplication.instance() or QApplication([sys.argv[0], *argv])
    app.setApplicationName(APP_TITLE)
    try:
        db = open_database(db_value)
        upgrade(db)
    except UserError as exc:
        if sys.stderr is not None:
            sys.stderr.write(f"backoffice : {exc.message}\n")
        QMessageBox.critical(None, APP_TITLE, exc.message)
        return 1
    window = MainWindow(
        db.description,
        load_overview=functools.partial(database_overview, db),
        load_demo=functools.partial(generate_demo, db),
    )
    window.show()
    try:
        return app.exec()
    finally:
        db.dispose()
