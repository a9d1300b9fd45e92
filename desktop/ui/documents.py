"""Documents the user prints or keeps: built on the database worker, shown by the system.

A document (a PDF, a signed scan) is made off the GUI thread, written to this
session's temporary folder and opened with the system viewer, from which the
user prints; or written where the user chose ("Enregistrer sous…"). The
temporary folder is private to the user and removed when the application ends.
"""

from __future__ import annotations

import atexit
import logging
import re
import shutil
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from PySide6.QtCore import QStandardPaths, Qt, QUrl
from PySide6.QtGui import QDesktopServices
from PySide6.QtWidgets import QApplication, QFileDialog, QWidget
from shiboken6 import isValid

from desktop.errors import UserError
from desktop.ui.db_worker import DbWorker, Job

log = logging.getLogger(__name__)

PDF_FILTER = "Documents PDF (*.pdf)"
_UNSAFE = re.compile(r'[\\/:*?"<>|\x00-\x1f]+')
_folder: Path | None = None


@dataclass(frozen=True)
class Document:
    filename: str
    data: bytes


Build = Callable[[], Document]
Failed = Callable[[Exception], None]


def safe_filename(name: str) -> str:
    """``name`` without the characters Windows refuses in a file name."""
    cleaned = _UNSAFE.sub("-", name).strip(" .")
    return cleaned or "document"


def temp_folder() -> Path:
    """This session's private folder for documents to open; removed at exit."""
    global _folder
    if _folder is None or not _folder.is_dir():
        _folder = Path(tempfile.mkdtemp(prefix="backoffice-"))
        atexit.register(shutil.rmtree, _folder, ignore_errors=True)
    return _folder


def write_temp(document: Document) -> Path:
    """Write ``document`` to the temporary folder, under a name not taken yet.

    A viewer may still hold an earlier copy open (Windows locks it): never overwrite.
    """
    name = Path(safe_filename(document.filename))
    path = temp_folder() / name
    number = 2
    while path.exists():
        path = temp_folder() / f"{name.stem} ({number}){name.suffix}"
        number += 1
    path.write_bytes(document.data)
    return path


def open_file(path: Path) -> None:
    """Show ``path`` with the application the system associates with it."""
    if not QDesktopServices.openUrl(QUrl.fromLocalFile(str(path))):
        raise UserError(f"Aucune application ne sait ouvrir ce fichier ; il est ici : {path}")


def open_document(owner: QWidget, worker: DbWorker, build: Build, *, failed: Failed) -> None:
    """Build the document on ``worker``, write it to the temporary folder, open it."""
    _run(owner, worker, lambda: write_temp(build()), open_file, failed)


def save_document(
    owner: QWidget,
    worker: DbWorker,
    build: Build,
    suggested: str,
    *,
    failed: Failed,
    saved: Callable[[Path], None] | None = None,
) -> None:
    """Ask where to save (a PDF named ``suggested`` by default), then build and write it."""
    folder = QStandardPaths.writableLocation(QStandardPaths.StandardLocation.DocumentsLocation)
    start = str(Path(folder) / safe_filename(suggested)) if folder else safe_filename(suggested)
    chosen, _ = QFileDialog.getSaveFileName(owner, "Enregistrer sous", start, PDF_FILTER)
    if not chosen:
        return
    path = Path(chosen if chosen.lower().endswith(".pdf") else f"{chosen}.pdf")

    def write() -> Path:
        path.write_bytes(build().data)
        return path

    _run(owner, worker, write, saved or (lambda _path: None), failed)


def _run(
    owner: QWidget,
    worker: DbWorker,
    work: Callable[[], Path],
    then: Callable[[Path], None],
    failed: Failed,
) -> None:
    QApplication.setOverrideCursor(Qt.CursorShape.WaitCursor)

    def done(path: Path) -> None:
        QApplication.restoreOverrideCursor()
        if not isValid(owner):
            return
        try:
            then(path)
        except UserError as exc:
            failed(exc)

    def error(exc: Exception) -> None:
        QApplication.restoreOverrideCursor()
        if isValid(owner):
            failed(explain(exc))

    worker.submit(Job(work=work, on_done=done, on_error=error))


def explain(exc: Exception) -> Exception:
    """A user's message for what commonly goes wrong with files and documents."""
    if isinstance(exc, ImportError):
        log.warning("Document module missing: %s", exc)
        return UserError(
            "Ce document n'est pas encore disponible dans cette version de l'application."
        )
    if isinstance(exc, OSError):
        where = f" ({exc.filename})" if exc.filename else ""
        return UserError(f"Le fichier n'a pas pu être écrit ou lu : {exc.strerror or exc}{where}.")
    return exc
