"""The contract PDF read back: parties, accounts, template text, pages, signatures, fonts."""

from __future__ import annotations

from dataclasses import replace
from io import BytesIO

import pytest
import sqlalchemy as sa
from PIL import Image

from desktop.db.engine import Database
from desktop.db.models import Client, Contract, Mailbox
from desktop.documents import contract_pdf
from desktop.documents.contract_pdf import build_contract, contract_text, render_contract
from desktop.documents.french import french_long_date, french_money, group_digits
from desktop.domain.enums import ClientKind, MailboxStatus
from desktop.errors import UserError
from desktop.services.contract_print import ContractPrint, contract_document
from tests.conftest import DEMO_TODAY
from tests.documents.pdf_helpers import flat, fonts, image_count, metadata, pages_text, plain

SIGNATURE_PHRASES = (
    "Fait à ______________ , le ____ / ____ / ________",
    "en deux exemplaires originaux",
    "Pour le client",
    "Pour le prestataire",
    "Nom du signataire",
    "Qualité",
    "Signature",
    "Cachet de l'entreprise",
)
WAIVER_TITLE = "Renonciation au droit de rétractation"


def _numbers(db: Database, *where: sa.ColumnElement[bool]) -> list[str]:
    """Contract numbers, the one with the most running accounts first."""
    running = sa.func.count(Mailbox.id).filter(
        Mailbox.status.not_in((MailboxStatus.TERMINATED, MailboxStatus.DELETED))
    )
    stmt = (
        sa.select(Contract.number)
        .join(Client, Client.id == Contract.client_id)
        .outerjoin(Mailbox, Mailbox.contract_id == Contract.id)
        .where(*where)
        .group_by(Contract.id, Contract.number)
        .order_by(running.desc(), Contract.number)
    )
    with db.read_session() as session:
        return list(session.execute(stmt).scalars())


def _document(db: Database, *where: sa.ColumnElement[bool]) -> ContractPrint:
    return contract_document(db, _numbers(db, *where)[0], at=DEMO_TODAY)


def test_business_contract_names_both_parties_and_every_account(demo_db: Database) -> None:
    doc = _document(demo_db, Client.kind == ClientKind.BUSINESS)
    assert len(doc.accounts) > 40  # the annex must flow over several pages
    pdf = build_contract(doc)
    pages = pages_text(pdf.data)
    text = "\n".join(pages)
    for value in (
        doc.client.name,
        f"SIREN {group_digits(doc.client.siren or '')}",
        doc.provider.name,
        f"SIREN {group_digits(doc.provider.siren)} — RCS {doc.provider.rcs_city}",
        f"TVA intracommunautaire {doc.provider.vat_number}",
        f"SAS au capital de {plain(french_money(doc.provider.share_capital))}",
        f"Contrat n° {doc.contract.number}",
    ):
        assert value in text
    for account in doc.accounts:
        assert account.address in text
        assert account.plan_name in flat(text)
    assert plain(french_money(doc.monthly_total)) in text
    assert len(pages) == pdf.pages > 3


def test_account_table_repeats_its_header_on_every_annex_page(demo_db: Database) -> None:
    doc = _document(demo_db, Client.kind == ClientKind.BUSINESS)
    pages = pages_text(render_contract(doc))
    first = next(i for i, page in enumerate(pages) if "Annexe 1" in page)
    last = next(i for i, page in enumerate(pages) if f"Total : {len(doc.accounts)} comptes" in page)
    assert last > first
    assert all("Compte (adresse et nom affiché)" in page for page in pages[first : last + 1])


def test_every_page_is_numbered_and_has_an_initials_box(demo_db: Database) -> None:
    pages = pages_text(render_contract(_document(demo_db)))
    for number, page in enumerate(pages, start=1):
        assert f"Page {number}/{len(pages)}" in page
        assert "Paraphes" in page


def test_signature_block_is_whole_on_the_last_page_only(demo_db: Database) -> None:
    pages = pages_text(render_contract(_document(demo_db, Client.kind == ClientKind.BUSINESS)))
    last = flat(pages[-1])
    for phrase in SIGNATURE_PHRASES:
        assert phrase in last
    assert last.count("Cachet de l'entreprise") == 2
    assert not any("Nom du signataire" in page for page in pages[:-1])


def test_consumer_contract_carries_the_waiver_with_its_date(demo_db: Database) -> None:
    doc = _document(demo_db, Client.kind == ClientKind.CONSUMER)
    assert doc.client.is_consumer and doc.contract.consumer_waiver_on is not None
    text = flat(" ".join(pages_text(render_contract(doc))))
    assert WAIVER_TITLE in text
    assert f"Renonciation acceptée le {french_long_date(doc.contract.consumer_waiver_on)}" in text
    assert "médiateur de la consommation" in text
    # A consumer signs in no capacity and has no company stamp: only the provider's.
    assert text.count("Cachet de l'entreprise") == 1


def test_business_contract_has_no_waiver(demo_db: Database) -> None:
    doc = _document(demo_db, Client.kind == ClientKind.BUSINESS)
    text = flat(" ".join(pages_text(render_contract(doc))))
    assert WAIVER_TITLE not in text
    assert "médiateur de la consommation" not in text


def test_every_font_is_embedded_and_none_is_a_standard_one(demo_db: Database) -> None:
    used = fonts(render_contract(_document(demo_db)))
    assert used and all(used.values()), used
    assert all("DejaVu" in name for name in used), used


def test_metadata_names_the_contract_and_the_provider(demo_db: Database) -> None:
    doc = _document(demo_db)
    info = metadata(render_contract(doc))
    assert info["/Title"].endswith(f"n° {doc.contract.number}")
    assert info["/Author"] == doc.provider.name
    assert doc.client.name in info["/Subject"]


def test_logo_or_provider_name_heads_every_page(demo_db: Database) -> None:
    doc = _document(demo_db)
    without = render_contract(doc)
    assert image_count(without) == 0
    assert all(doc.provider.name in page for page in pages_text(without))
    buffer = BytesIO()
    Image.new("RGB", (300, 100), (31, 58, 95)).save(buffer, "PNG")
    logo = replace(doc.provider, logo=buffer.getvalue(), logo_mime="image/png")
    assert image_count(render_contract(replace(doc, provider=logo))) >= 1


def test_both_product_lines_fill_every_demo_contract(demo_db: Database) -> None:
    lines = set()
    for number in _numbers(demo_db):
        doc = contract_document(demo_db, number, at=DEMO_TODAY)
        lines.add(doc.contract.product_line)
        text = contract_text(doc)
        words = [text.title] + [
            item
            for article in text.articles
            for block in article.blocks
            for item in (article.title, *block.items)
        ]
        assert not any("{" in w or "}" in w for w in words), number
        assert (WAIVER_TITLE in [a.title for a in text.articles]) == doc.client.is_consumer
    assert len(lines) == 2


def test_an_unknown_placeholder_names_itself_and_the_file(
    demo_db: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    doc = _document(demo_db)
    template = "# Contrat\n\n## Objet\n\nLe client {client.nom} souscrit.\n"
    monkeypatch.setattr(contract_pdf, "load_template", lambda line: (template, "perso.md"))
    with pytest.raises(UserError) as caught:
        render_contract(doc)
    assert caught.value.message == (
        "Modèle de contrat « perso.md », ligne 5 : champ inconnu « {client.nom} »."
    )
