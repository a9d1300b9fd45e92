"""Background work: run a function off the GUI thread, get its result by signal."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QObject, QRunnable, QThreadPool, Signal


class _Relay(QObject):
    succeeded = Signal(object)
    failed = Signal(object)


class _Task(QRunnable):
    def __init__(self, work: Callable[[], Any]) -> None:
        super().__init__()
        self.work = work
        self.relay = _Relay()

    def run(self) -> None:
        try:
            result = self.work()
        except Exception as exc:  # noqa: BLE001 - handed to the GUI thread as is
            self.relay.failed.emit(exc)
        else:
            self.relay.succeeded.emit(result)


def run_in_background(
    work: Callable[[], Any],
    on_success: Callable[[Any], None],
    on_failure: Callable[[Exception], None],
) -> None:
    """Run ``work`` on the global pool; the callbacks run on the GUI thread."""
    task = _Task(work)
    task.relay.succeeded.connect(on_success)
    task.relay.failed.connect(on_failure)
    QThreadPool.globalInstance().start(task)
