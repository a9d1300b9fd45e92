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


# Tasks whose result has not reached the GUI thread yet: keeping them alive keeps
# their relay alive, without which Qt would drop the queued result signal.
_pending: set[_Task] = set()


def run_in_background(
    work: Callable[[], Any],
    on_success: Callable[[Any], None],
    on_failure: Callable[[Exception], None],
) -> None:
    """Run ``work`` on the global pool; the callbacks run on the GUI thread."""
    task = _Task(work)
    task.setAutoDelete(False)

    def deliver(callback: Callable[[Any], None], value: Any) -> None:
        _pending.discard(task)
        callback(value)

    task.relay.succeeded.connect(lambda result: deliver(on_success, result))
    task.relay.failed.connect(lambda error: deliver(on_failure, error))
    _pending.add(task)
    QThreadPool.globalInstance().start(task)
