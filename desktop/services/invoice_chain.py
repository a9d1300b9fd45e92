"""``backoffice verify``: recompute the hash chain of every issued document.

The chain is read in issue order, a chunk at a time; the first document whose
position, link or content does not match is named, with what is wrong.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from desktop.db.engine import Database
from desktop.db.models import Invoice, InvoiceLine
from desktop.domain.enums import InvoiceStatus
from desktop.domain.invoice_hash import chain_hash
from desktop.services.invoice_fields import document_payload

CHUNK = 2_000


@dataclass(frozen=True)
class ChainReport:
    checked: int  # documents found intact before the first broken one (all when intact)
    broken_number: str | None = None  # the first document that does not match
    problem: str | None = None  # in French

    @property
    def intact(self) -> bool:
        return self.problem is None


def verify_chain(db: Database, progress: Callable[[int, int], None] | None = None) -> ChainReport:
    """Check every issued invoice and credit note against the chain."""
    with db.read_session() as session:
        total = _issued_count(session)
        unchained = session.execute(
            sa.select(Invoice.number)
            .where(Invoice.status != InvoiceStatus.DRAFT, Invoice.chain_index.is_(None))
            .order_by(Invoice.id)
            .limit(1)
        ).scalar_one_or_none()
        report = _walk(session, total, progress)
    if report.intact and unchained is not None:
        return ChainReport(report.checked, unchained, "document émis hors de la chaîne")
    return report


def _issued_count(session: Session) -> int:
    return session.execute(
        sa.select(sa.func.count()).select_from(Invoice).where(Invoice.chain_index.is_not(None))
    ).scalar_one()


def _walk(session: Session, total: int, progress: Callable[[int, int], None] | None) -> ChainReport:
    previous: str | None = None
    checked = 0
    for document, lines in _documents(session):
        problem = _problem(document, lines, checked + 1, previous)
        if problem is not None:
            return ChainReport(checked, document.number, problem)
        previous = document.hash
        checked += 1
        if progress is not None and checked % CHUNK == 0:
            progress(checked, total)
    if progress is not None:
        progress(checked, total)
    return ChainReport(checked)


def _problem(
    document: sa.Row[Any], lines: Sequence[sa.Row[Any]], expected_index: int, previous: str | None
) -> str | None:
    if document.chain_index != expected_index:
        missing = expected_index if expected_index < document.chain_index else document.chain_index
        return f"le document n° {missing} de la chaîne manque (supprimé ?)"
    if document.previous_hash != previous:
        return "le lien vers le document précédent ne correspond pas"
    if chain_hash(previous, document_payload(document._mapping, lines)) != document.hash:
        return "son contenu a été modifié après émission (empreinte différente)"
    if document.status == InvoiceStatus.DRAFT:
        return "un document émis est repassé en brouillon"
    return None


def _documents(session: Session) -> Iterator[tuple[sa.Row[Any], list[sa.Row[Any]]]]:
    """Issued documents in chain order with their lines, fetched a chunk at a time."""
    after = 0
    while True:
        documents = session.execute(
            sa.select(Invoice.__table__)
            .where(Invoice.chain_index > after)
            .order_by(Invoice.chain_index)
            .limit(CHUNK)
        ).all()
        if not documents:
            return
        lines: dict[int, list[sa.Row[Any]]] = {d.id: [] for d in documents}
        for line in session.execute(
            sa.select(InvoiceLine.__table__)
            .where(InvoiceLine.invoice_id.in_(lines))
            .order_by(InvoiceLine.invoice_id, InvoiceLine.position)
        ):
            lines[line.invoice_id].append(line)
        for document in documents:
            yield document, lines[document.id]
        after = documents[-1].chain_index
