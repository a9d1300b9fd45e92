"""Rendering many invoices: in order, on worker processes, with progress and Cancel."""

from __future__ import annotations

from io import BytesIO

import pikepdf
import pytest
from lxml import etree

from desktop.documents.batch import chunk_size, default_workers, render_invoices, shutdown_pool
from desktop.documents.facturx import RAM, RSM, embedded_xml
from desktop.documents.invoice_data import InvoiceDocument
from desktop.documents.invoice_pdf import build_invoice
from tests.documents import invoice_samples as sample
from tests.documents.pdf_helpers import pages_text


def batch(count: int) -> list[InvoiceDocument]:
    return [
        sample.long_invoice(10 + 15 * (i % 3), number=f"F2026-{i:06d}") for i in range(1, count + 1)
    ]


def numbers_of(pdfs: list[bytes]) -> list[str]:
    return [
        etree.fromstring(embedded_xml(data)).findtext(f"{{{RSM}}}ExchangedDocument/{{{RAM}}}ID")
        for data in pdfs
    ]


def attachments(data: bytes) -> list[str]:
    with pikepdf.open(BytesIO(data)) as pdf:
        return list(pdf.attachments)


@pytest.mark.parametrize("workers", [1, 2])
def test_documents_come_back_in_order(workers: int) -> None:
    docs = batch(6)
    seen: list[tuple[int, int]] = []
    rendered = render_invoices(docs, workers=workers, progress=lambda d, t: seen.append((d, t)))
    assert numbers_of([r.data for r in rendered]) == [d.number for d in docs]
    assert [r.pages for r in rendered] == [build_invoice(d).pages for d in docs]
    assert seen == [(i, 6) for i in range(1, 7)]


def test_workers_take_several_documents_at_a_time_in_order() -> None:
    assert [chunk_size(total, 2) for total in (1, 6, 40, 200, 5000)] == [1, 1, 6, 32, 32]
    docs = batch(40)
    seen: list[int] = []
    rendered = render_invoices(docs, workers=2, progress=lambda d, _t: seen.append(d))
    assert numbers_of([r.data for r in rendered]) == [d.number for d in docs]
    assert seen == list(range(1, 41))


@pytest.mark.parametrize("workers", [1, 2])
def test_cancel_stops_between_documents(workers: int) -> None:
    docs = batch(8)
    done: list[int] = []
    rendered = render_invoices(
        docs,
        workers=workers,
        progress=lambda d, t: done.append(d),
        cancelled=lambda: len(done) >= 3,
    )
    assert numbers_of([r.data for r in rendered]) == [d.number for d in docs[:3]]


def test_an_error_in_progress_stops_the_batch() -> None:
    class Stop(Exception):
        pass

    def progress(done: int, total: int) -> None:
        if done == 2:
            raise Stop

    with pytest.raises(Stop):
        render_invoices(batch(6), workers=2, progress=progress)
    assert len(render_invoices(batch(3), workers=2)) == 3  # the workers still serve


def test_workers_end_and_start_again() -> None:
    assert len(render_invoices(batch(2), workers=2)) == 2
    shutdown_pool()
    assert len(render_invoices(batch(2), workers=2)) == 2
    shutdown_pool()


def test_plain_pdfs_and_draft_previews() -> None:
    docs = [sample.invoice(), sample.draft()]
    plain = render_invoices(docs, facturx=False, workers=1)
    assert [attachments(r.data) for r in plain] == [[], []]
    mixed = render_invoices(docs, workers=1)
    assert [attachments(r.data) for r in mixed] == [["factur-x.xml"], []]
    assert "BROUILLON" in pages_text(mixed[1].data)[0]


def test_nothing_to_render() -> None:
    assert render_invoices([], workers=2) == []
    assert default_workers(0) == 1
    assert default_workers(1) == 1
