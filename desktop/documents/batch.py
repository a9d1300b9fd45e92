"""Many invoices rendered on all cores, in order, with progress and Cancel.

Each worker is a fresh process started with ``spawn`` (what a frozen app on
Windows uses anyway, and safe beside Qt's threads): it imports the renderers
and registers the fonts itself on its first document. Documents travel to it
pickled (they are plain frozen dataclasses) and come back as
:class:`~desktop.documents.layout.RenderedPdf`. The workers stay for the
next batch (:func:`shutdown_pool` ends them). ``workers=1`` renders in this
process, with no pool at all. A frozen application must call
``multiprocessing.freeze_support()`` first thing in its entry point.
"""

from __future__ import annotations

import atexit
import gc
import multiprocessing
import os
import threading
from collections import deque
from collections.abc import Callable, Generator, Sequence
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from itertools import islice

from desktop.documents.invoice_data import InvoiceDocument
from desktop.documents.layout import RenderedPdf

Progress = Callable[[int, int], None]
"""``progress(done, total)`` after each document."""
Cancelled = Callable[[], bool]
"""Asked between documents; True stops the batch."""

Rendering = Generator[RenderedPdf, None, None]

AHEAD = 2
"""Tasks queued per worker beyond the one it renders (bounds memory on big batches)."""

CHUNK = 32
"""Documents per task at most: one invoice takes a few milliseconds, about what sending
a task to a worker and its PDF back costs, so a worker gets several at a time."""


def render_one(doc: InvoiceDocument, facturx: bool = True) -> RenderedPdf:
    """One document: Factur-X (PDF/A-3 with its XML) for an issued one, else the plain PDF."""
    if facturx and not doc.is_draft:
        from desktop.documents.facturx import build_facturx

        return build_facturx(doc)
    from desktop.documents.invoice_pdf import build_invoice

    return build_invoice(doc)


def default_workers(count: int) -> int:
    """As many workers as cores, never more than documents."""
    return max(1, min(os.cpu_count() or 1, count))


def render_invoices(
    docs: Sequence[InvoiceDocument],
    *,
    facturx: bool = True,
    workers: int | None = None,
    progress: Progress | None = None,
    cancelled: Cancelled | None = None,
) -> list[RenderedPdf]:
    """Every document's PDF, in the order given.

    When ``cancelled()`` turns true the batch stops at the next document and the
    PDFs made so far are returned (a shorter list); an exception raised by
    ``progress`` (the GUI's Cancel) stops the workers and propagates.
    """
    total = len(docs)
    count = default_workers(total) if workers is None else max(1, min(workers, total or 1))
    results = _in_process(docs, facturx) if count == 1 else _in_pool(docs, facturx, count)
    rendered: list[RenderedPdf] = []
    try:
        for pdf in results:
            rendered.append(pdf)
            if progress is not None:
                progress(len(rendered), total)
            if cancelled is not None and len(rendered) < total and cancelled():
                break
    finally:
        results.close()  # stops the pool's generator: what was queued is cancelled
    return rendered


def _in_process(docs: Sequence[InvoiceDocument], facturx: bool) -> Rendering:
    for doc in docs:
        yield render_one(doc, facturx)


def render_chunk(docs: Sequence[InvoiceDocument], facturx: bool) -> list[RenderedPdf]:
    """One worker task: a few documents, rendered in order."""
    rendered = [render_one(doc, facturx) for doc in docs]
    _freeze_once()
    return rendered


def _freeze_once() -> None:
    """After a worker's first task: what it has built for good (modules, fonts, caches)
    leaves the cycle collector's scans, which otherwise cost 10 to 30 % of the time."""
    global _frozen
    if not _frozen:
        gc.collect()  # the first documents' cycles go first, they aren't kept
        gc.freeze()
        _frozen = True


_frozen = False


def chunk_size(total: int, workers: int) -> int:
    """Documents per task: up to :data:`CHUNK`, small enough that every worker gets
    several tasks (the batch ends evenly, progress moves)."""
    return max(1, min(CHUNK, total // (workers * (1 + AHEAD))))


def _in_pool(docs: Sequence[InvoiceDocument], facturx: bool, workers: int) -> Rendering:
    """Results in order, keeping at most ``workers × (1 + AHEAD)`` tasks submitted."""
    executor = _pool(workers)
    size = chunk_size(len(docs), workers)
    chunks = (docs[start : start + size] for start in range(0, len(docs), size))
    pending: deque[Future[list[RenderedPdf]]] = deque()
    try:
        for chunk in islice(chunks, workers * (1 + AHEAD)):
            pending.append(executor.submit(render_chunk, chunk, facturx))
        while pending:
            results = _result(pending.popleft())
            following = next(chunks, None)
            if following is not None:
                pending.append(executor.submit(render_chunk, following, facturx))
            yield from results
    finally:
        for future in pending:  # those already rendering finish, unread
            future.cancel()


# --- the worker processes ---------------------------------------------------------------
# Kept between batches: starting a worker (a new interpreter importing ReportLab,
# pikepdf, lxml and the application's modules) costs about a second, paid once
# per session rather than at every batch. shutdown_pool() ends them (also at exit).

_lock = threading.Lock()
_executor: ProcessPoolExecutor | None = None
_size = 0


def _pool(workers: int) -> ProcessPoolExecutor:
    global _executor, _size
    with _lock:
        if _executor is None or _size != workers:
            if _executor is not None:
                _executor.shutdown(wait=False, cancel_futures=True)
            context = multiprocessing.get_context("spawn")
            _executor = ProcessPoolExecutor(max_workers=workers, mp_context=context)
            _size = workers
        return _executor


def _result(future: Future[list[RenderedPdf]]) -> list[RenderedPdf]:
    try:
        return future.result()
    except BrokenProcessPool:
        shutdown_pool()  # a worker died: the next batch starts new ones
        raise


def shutdown_pool() -> None:
    """End the worker processes (they start again with the next batch)."""
    global _executor
    with _lock:
        if _executor is not None:
            _executor.shutdown(wait=True, cancel_futures=True)
            _executor = None


atexit.register(shutdown_pool)
