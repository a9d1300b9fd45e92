"""Composition root of the GUI: logging → database → services → main window."""

from __future__ import annotations

import logging
import sys
from collections.abc import Sequence
from typing import TYPE_CHECKING

from desktop.db.backups import daily_backup_logged
from desktop.db.connect import open_database
from desktop.db.engine import Database
from desktop.db.schema import upgrade
from desktop.errors import UserError
from desktop.logs import log_uncaught, setup_logging
from desktop.services.demo import generate_demo
from desktop.services.provider import ProviderDraft, get_provider, provider_exists, save_provider
from desktop.services.staff import staff_accounts_in_use
from desktop.services.upkeep import run_upkeep
from desktop.settings import load_local_settings, save_local_settings, staff_name

if TYPE_CHECKING:
    from PySide6.QtWidgets import QApplication, QWidget

    from desktop.ui.main_window import MainWindow

log = logging.getLogger(__name__)

ORGANISATION = "BackOfficeMessagerie"


def run(db_value: str | None, argv: Sequence[str] = ()) -> int:
    """Open the application window on the named database; the exit status."""
    from PySide6.QtCore import QTimer
    from PySide6.QtWidgets import QApplication, QMessageBox

    from desktop.ui.main_window import APP_TITLE
    from desktop.ui.tasks import run_in_background

    setup_logging()
    app = QApplication.instance() or QApplication([sys.argv[0], *argv])
    app.setApplicationName(APP_TITLE)
    app.setOrganizationName(ORGANISATION)
    _french_qt(app)
    sys.excepthook = _show_uncaught
    try:
        db = open_database(db_value)
        upgrade(db)
    except UserError as exc:
        log.warning("Cannot open the database: %s", exc.message)
        if sys.stderr is not None:
            sys.stderr.write(f"backoffice : {exc.message}\n")
        QMessageBox.critical(None, APP_TITLE, exc.message)
        return 1
    account = None
    if staff_accounts_in_use(db):
        from desktop.ui.dialogs.login_dialog import sign_in

        account = sign_in(db)
        if account is None:  # « Quitter »
            db.dispose()
            return 0
    actor = account.login if account is not None else staff_name()
    window = build_window(db, actor)
    if account is not None:
        window.show_account(account)
    window.show()
    window.start_sending()
    # The day's copy of an SQLite file, off the GUI thread: a large file takes seconds.
    run_in_background(lambda: daily_backup_logged(db), lambda _path: None, lambda _e: None)
    # Quotes past their validity, mandates unused for 36 months: their statuses, for the lists.
    run_in_background(lambda: run_upkeep(db, actor=actor), window.show_upkeep, _upkeep_failed)
    if not provider_exists(db):
        QTimer.singleShot(0, lambda: welcome(window, db, actor))
    try:
        return app.exec()
    finally:
        db.dispose()


def _upkeep_failed(error: Exception) -> None:
    """The day's upkeep at start is not worth an error box: the next start does it."""
    log.warning("Daily upkeep failed: %s", getattr(error, "message", error))


def _french_qt(app: QApplication) -> None:
    """Qt's own words (Oui, Annuler, the calendar) in French, when its translation ships."""
    from PySide6.QtCore import QLibraryInfo, QLocale, QTranslator

    translator = QTranslator(app)
    folder = QLibraryInfo.path(QLibraryInfo.LibraryPath.TranslationsPath)
    if translator.load(QLocale(QLocale.Language.French), "qtbase", "_", folder):
        app.installTranslator(translator)


def build_window(db: Database, actor: str) -> MainWindow:
    from desktop.ui.editing import record_editor
    from desktop.ui.main_window import Actions, MainWindow

    return MainWindow(
        db,
        actor=actor,
        actions=Actions(
            edit=record_editor(db, actor),
            load_demo=lambda progress: generate_demo(db, progress=progress),
            settings=lambda parent: edit_settings(parent, db, actor),
        ),
    )


def welcome(window: MainWindow, db: Database, actor: str) -> None:
    """First start on an empty database: the provider's identity, or demo data."""
    from desktop.ui.dialogs.welcome import WelcomeDialog

    def save(draft: ProviderDraft) -> object:
        return save_provider(db, draft, expected_version=None, actor=actor)

    dialog = WelcomeDialog(window, save)
    if dialog.exec() == WelcomeDialog.DEMO:
        window.load_demo_data()
    else:
        window.refresh()


def edit_settings(parent: QWidget, db: Database, actor: str) -> bool:
    from PySide6.QtWidgets import QDialog

    from desktop.ui.dialogs.settings import SettingsDialog

    dialog = SettingsDialog(
        parent,
        get_provider(db),
        lambda draft, version: save_provider(db, draft, expected_version=version, actor=actor),
        load_local_settings(),
        save_local_settings,
        reload=lambda: get_provider(db),
    )
    return dialog.exec() == QDialog.DialogCode.Accepted


def _show_uncaught(kind: type[BaseException], value: BaseException, traceback: object) -> None:
    """Log an unexpected error and tell the user in a dialog rather than losing it."""
    from PySide6.QtWidgets import QMessageBox

    from desktop.logs import log_file
    from desktop.ui.main_window import APP_TITLE

    log_uncaught(kind, value, traceback)  # type: ignore[arg-type]
    QMessageBox.critical(
        None,
        APP_TITLE,
        f"Une erreur inattendue est survenue : {value}\n\nLe détail est dans le journal : "
        f"{log_file()}",
    )
