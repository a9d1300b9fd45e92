"""Long work off the GUI thread, behind a progress dialog whose Cancel really stops it."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QObject, Qt, Signal
from PySide6.QtWidgets import QProgressDialog, QWidget

from desktop.errors import UserError
from desktop.ui.tasks import run_in_background

Progress = Callable[[str, int, int], None]


class Cancelled(UserError):
    """Raised in the worker when the user pressed Cancel; the work rolls back."""

    def __init__(self) -> None:
        super().__init__("Opération annulée : rien n'a été enregistré.")


class _Relay(QObject):
    moved = Signal(str, int, int)


def run_with_progress(
    parent: QWidget | None,
    title: str,
    work: Callable[[Progress], Any],
    on_done: Callable[[Any], None],
    on_failure: Callable[[Exception], None],
) -> QProgressDialog:
    """Run ``work(progress)`` in the background; ``progress(stage, done, total)`` moves the bar.

    Cancel makes the next ``progress`` call raise :class:`Cancelled`, so the work
    stops at a safe point and its transaction rolls back.
    """
    dialog = QProgressDialog(title, "Annuler", 0, 0, parent)
    dialog.setWindowTitle(title)
    dialog.setWindowModality(Qt.WindowModality.WindowModal)
    dialog.setMinimumDuration(300)
    dialog.setMinimumWidth(420)
    dialog.setAutoClose(False)
    dialog.setAutoReset(False)
    relay = _Relay(dialog)
    cancelled = False

    def cancel() -> None:
        nonlocal cancelled
        cancelled = True
        dialog.setLabelText("Annulation…")

    def show(stage: str, done: int, total: int) -> None:
        if not cancelled:
            dialog.setLabelText(stage)
            dialog.setMaximum(max(total, 1))
            dialog.setValue(min(done, max(total, 1)))

    def progress(stage: str, done: int, total: int) -> None:
        if cancelled:
            raise Cancelled()
        relay.moved.emit(stage, done, total)

    def finish(callback: Callable[[Any], None], value: Any) -> None:
        dialog.close()
        callback(value)

    relay.moved.connect(show)
    dialog.canceled.connect(cancel)
    run_in_background(
        lambda: work(progress),
        lambda result: finish(on_done, result),
        lambda error: finish(on_failure, error),
    )
    return dialog
