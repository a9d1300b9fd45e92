"""A service's own progress and cancel callbacks, on a :func:`run_with_progress` dialog.

The billing run and the PDF rendering report ``(done, total)`` and ask
``cancelled()`` between two batches, then stop cleanly and say what they did:
Cancel must not raise in the middle of them. :class:`Steps` turns the dialog's
``progress`` (which raises :class:`Cancelled` once Cancel was pressed) into
those two callbacks.
"""

from __future__ import annotations

from desktop.ui.progress import Cancelled, Progress


class Steps:
    """``moved(done, total)`` moves the bar; ``cancelled()`` tells whether Cancel was pressed."""

    def __init__(self, progress: Progress, stage: str) -> None:
        self._progress = progress
        self.stage = stage
        self.done = 0
        self.total = 0
        self._cancelled = False

    def moved(self, done: int, total: int) -> None:
        self.done, self.total = done, total
        self._report()

    def cancelled(self) -> bool:
        self._report()
        return self._cancelled

    def _report(self) -> None:
        if self._cancelled:
            return
        try:
            self._progress(self.stage, self.done, self.total)
        except Cancelled:
            self._cancelled = True
