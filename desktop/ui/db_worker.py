"""One thread for the window's database reads; results come back on the GUI thread.

Jobs run one at a time, in order. A job that became pointless while it waited
(the user typed another letter, scrolled past the page) is skipped, not run:
``is_stale`` is asked just before it would start, and its owner is told.
"""

from __future__ import annotations

import queue
import threading
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from PySide6.QtCore import QObject, Signal


def _never() -> bool:
    return False


def _nothing() -> None:
    return None


@dataclass(eq=False)
class Job:
    work: Callable[[], Any]
    on_done: Callable[[Any], None]
    on_error: Callable[[Exception], None]
    is_stale: Callable[[], bool] = _never
    on_skipped: Callable[[], None] = _nothing


class _Skipped:
    """Marker delivered instead of a result when a stale job was not run."""


SKIPPED = _Skipped()


class DbWorker(QObject):
    """A daemon thread running :class:`Job` s from a queue."""

    _delivered = Signal(object, object, object)  # job, result, error

    def __init__(self) -> None:
        super().__init__()
        self._queue: queue.SimpleQueue[Job | None] = queue.SimpleQueue()
        self._delivered.connect(self._deliver)
        self._thread = threading.Thread(target=self._loop, name="db-worker", daemon=True)
        self._thread.start()

    def submit(self, job: Job) -> None:
        self._queue.put(job)

    def stop(self, timeout: float = 5.0) -> None:
        """Finish the running job, drop the rest, end the thread."""
        self._queue.put(None)
        self._thread.join(timeout)

    def _loop(self) -> None:
        while (job := self._queue.get()) is not None:
            if job.is_stale():
                self._delivered.emit(job, SKIPPED, None)
                continue
            try:
                result = job.work()
            except Exception as exc:  # noqa: BLE001 - handed to the GUI thread
                self._delivered.emit(job, None, exc)
            else:
                self._delivered.emit(job, result, None)

    def _deliver(self, job: Job, result: object, error: Exception | None) -> None:
        if result is SKIPPED:
            job.on_skipped()
        elif error is not None:
            job.on_error(error)
        else:
            job.on_done(result)
