"""Where to save an Excel workbook: asked once, the folder remembered for next time."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QSettings
from PySide6.QtWidgets import QFileDialog, QWidget


def ask_workbook_path(parent: QWidget, title: str, file_name: str, folder_key: str) -> Path | None:
    """The workbook the user chose (``.xlsx`` added if missing), proposed as ``file_name``
    in the folder last used under ``folder_key`` (QSettings); None if cancelled."""
    settings = QSettings()
    folder = Path(str(settings.value(folder_key, str(Path.home()))))
    chosen, _ = QFileDialog.getSaveFileName(
        parent, title, str(folder / file_name), "Classeur Excel (*.xlsx)"
    )
    if not chosen:
        return None
    path = Path(chosen)
    if path.suffix.lower() != ".xlsx":
        path = path.with_name(path.name + ".xlsx")
    settings.setValue(folder_key, str(path.parent))
    return path
