"""Which product lines' DNS records a domain's sheet lists, with the provider's overrides."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from desktop.db.engine import Database
from desktop.db.models import Contract, ProductLine
from desktop.domain.enums import ProductLineCode
from desktop.errors import NotFoundError, UserError
from desktop.services.dns_sheet import dns_instructions
from tests.documents.pdf_helpers import store_provider
from tests.services.factories import client, domain, mailbox, world

HE, O365 = ProductLineCode.HOSTED_EXCHANGE, ProductLineCode.OFFICE_365


def _codes(db: Database, domain_id: int) -> list[ProductLineCode]:
    return [line.code for line in dns_instructions(db, domain_id).lines]


def test_lines_of_the_domains_mailboxes(db: Database) -> None:
    store_provider(db)
    w = world(db)
    mailbox(db, w, "jean")  # on the Hosted Exchange contract
    sheet = dns_instructions(db, w.domain_id)
    assert [line.code for line in sheet.lines] == [HE]
    assert (sheet.domain, sheet.client_name, sheet.client_code) == (
        "acme.fr",
        "Acme Industrie",
        "CL00001",
    )
    assert sheet.contracted and sheet.provider.name == "Nuage Armor"
    assert sheet.lines[0].records[0].value == "mx1.messagerie-hebergee.fr"


def test_without_mailbox_the_lines_of_the_clients_contracts(db: Database) -> None:
    store_provider(db)
    w = world(db)
    other = domain(db, w.client_id, "acme-bis.fr")
    assert _codes(db, other.id) == [HE, O365]
    with db.session_scope() as session:
        session.execute(sa.delete(Contract).where(Contract.id == w.he_contract_id))
    assert _codes(db, other.id) == [O365]


def test_without_contract_both_lines(db: Database) -> None:
    store_provider(db)
    world(db)  # creates both product lines
    lonely = client(db, name="Sans Contrat", siren="732829320")
    sheet = dns_instructions(db, domain(db, lonely.id, "café.fr").id)
    assert [line.code for line in sheet.lines] == [HE, O365]
    assert not sheet.contracted
    assert (sheet.domain, sheet.a_label) == ("café.fr", "xn--caf-dma.fr")
    assert sheet.lines[1].records[0].value == "xn--caf-dma-fr.mail.protection.outlook.com"


def test_product_line_overrides_are_used(db: Database) -> None:
    store_provider(db)
    w = world(db)
    with db.session_scope() as session:
        line = session.get(ProductLine, w.he_line_id)
        assert line is not None
        line.dns_mx, line.dns_mx_priority = "mx2.{domain_dashed}.relais.fr", 20
    mailbox(db, w, "jean")
    record = dns_instructions(db, w.domain_id).lines[0].records[0]
    assert (record.value, record.priority) == ("mx2.acme-fr.relais.fr", 20)


def test_a_broken_override_is_a_clear_error(db: Database) -> None:
    store_provider(db)
    w = world(db)
    with db.session_scope() as session:
        line = session.get(ProductLine, w.he_line_id)
        assert line is not None
        line.dns_spf = "v=spf1 include:{fournisseur} -all"
    mailbox(db, w, "jean")
    message = r"offre Hosted Exchange : Champ inconnu « \{fournisseur\} »"
    with pytest.raises(UserError, match=message):
        dns_instructions(db, w.domain_id)


def test_unknown_domain(db: Database) -> None:
    with pytest.raises(NotFoundError):
        dns_instructions(db, 424242)
