"""``backoffice purge`` and ``backoffice anonymise …``: what they print, what they change,
and that ``backoffice verify`` still finds the invoice chain intact afterwards."""

from __future__ import annotations

from datetime import date

import pytest
import sqlalchemy as sa

from desktop.cli import main
from desktop.db.engine import Database
from desktop.db.models import Client, Invoice, InvoiceLine, Mailbox
from desktop.domain.enums import ClientStatus, MailboxStatus
from tests.services.factories import client
from tests.services.test_personal_data import Closed, closed_consumer, one, table_rows

Capture = pytest.CaptureFixture[str]


def url(db: Database) -> str:
    return db.url.render_as_string(hide_password=False)


def run(db: Database, capsys: Capture, *args: str) -> tuple[int, str, str]:
    code = main(["--db", url(db), *args])
    out, err = capsys.readouterr()
    return code, out, err


@pytest.fixture
def closed(db: Database) -> Closed:
    return closed_consumer(db, ended=date(2023, 3, 15))


def test_anonymising_a_client_keeps_the_chain_intact(
    db: Database, closed: Closed, capsys: Capture
) -> None:
    invoices = table_rows(db, Invoice, InvoiceLine)
    code, out, err = run(db, capsys, "anonymise", "client", closed.code.lower())
    assert (code, err) == (0, "")
    assert out == (
        f"Client {closed.code} anonymisé : 1 contact(s), 1 boîte(s) aux lettres, 1 mandat(s) "
        "SEPA ; e-mails : 1 en attente supprimé(s), 1 envoyé(s) vidé(s). Factures et avoirs "
        "conservés tels qu'émis.\n"
    )
    assert one(db, Client, closed.client_id).name == f"Anonyme {closed.code}"
    assert table_rows(db, Invoice, InvoiceLine) == invoices
    code, out, err = run(db, capsys, "verify")
    assert (code, err) == (0, "")
    assert out.startswith("Chaîne intacte : 2 facture(s) et avoir(s) émis vérifiés")
    code, out, _err = run(db, capsys, "anonymise", "client", closed.code)
    assert (code, out) == (0, f"Le client {closed.code} était déjà anonymisé : rien n'a changé.\n")


def test_an_active_client_or_an_unknown_code_is_refused(db: Database, capsys: Capture) -> None:
    active = client(db)
    code, out, err = run(db, capsys, "anonymise", "client", active.code)
    assert (code, out) == (1, "")
    assert err == (
        f"backoffice : Le client {active.code} est « Actif » : seul un client résilié, ou un "
        "prospect qui n'a jamais signé, peut être anonymisé.\n"
    )
    code, out, err = run(db, capsys, "anonymise", "client", "CL99999")
    assert (code, out, err) == (1, "", "backoffice : Aucun client n'a le code « CL99999 ».\n")


def test_anonymising_a_deleted_mailbox(db: Database, closed: Closed, capsys: Capture) -> None:
    with db.session_scope() as session:
        session.get(Client, closed.client_id).status = ClientStatus.ACTIVE
    code, out, err = run(db, capsys, "anonymise", "mailbox", "Jeanne@Martin-Famille.fr")
    address = f"anonyme-{closed.mailbox_id}@martin-famille.fr"
    assert (code, err) == (0, "")
    assert out.startswith(f"Boîte aux lettres anonymisée : {address} ; e-mails :")
    assert one(db, Mailbox, closed.mailbox_id).address == address
    code, out, err = run(db, capsys, "anonymise", "mailbox", "jeanne@martin-famille.fr")
    assert (code, out) == (1, "")
    assert err == (
        "backoffice : Aucune boîte aux lettres n'a l'adresse « jeanne@martin-famille.fr ».\n"
    )


def test_purge_lists_then_applies(db: Database, closed: Closed, capsys: Capture) -> None:
    before = table_rows(db, Client, Mailbox)
    code, out, err = run(db, capsys, "purge", "--at", "2026-03-14")
    assert (code, err) == (0, "")
    assert out == (
        "Purge des données personnelles au 14/03/2026 — aperçu, rien n'est modifié "
        "(conservation : prospects 36 mois, clients résiliés 36 mois, boîtes supprimées "
        "12 mois).\n"
        "Boîte supprimée jeanne@martin-famille.fr : boîte supprimée le 15/03/2023 "
        "(conservation 12 mois).\n"
        "1 élément(s) seraient anonymisés ; pour le faire : backoffice purge --at 2026-03-14 "
        "--yes\n"
    )
    code, out, _err = run(db, capsys, "purge", "--at", "2026-03-15")
    assert out.splitlines()[1:] == [
        f"Client résilié {closed.code} — Jeanne Martin : client résilié le 15/03/2023 "
        "(conservation 36 mois).",
        "1 élément(s) seraient anonymisés ; pour le faire : backoffice purge --at 2026-03-15 --yes",
    ]
    assert table_rows(db, Client, Mailbox) == before
    code, out, err = run(db, capsys, "purge", "--at", "2026-03-15", "--yes")
    assert (code, err) == (0, "")
    assert out == (
        f"Anonymisé : client résilié {closed.code}.\n"
        "Purge au 15/03/2026 : 1 élément(s) anonymisé(s). Factures et avoirs conservés tels "
        "qu'émis.\n"
    )
    assert one(db, Client, closed.client_id).status is ClientStatus.ANONYMISED
    assert one(db, Mailbox, closed.mailbox_id).status is MailboxStatus.DELETED
    code, out, _err = run(db, capsys, "purge", "--at", "2026-03-15")
    assert out.splitlines()[1:] == ["Rien à anonymiser à cette date."]
    code, out, _err = run(db, capsys, "verify")
    assert (code, out.split(" — ")[0]) == (
        0,
        "Chaîne intacte : 2 facture(s) et avoir(s) émis vérifiés",
    )


def test_purge_names_the_clients_it_keeps(db: Database, capsys: Capture) -> None:
    closed = closed_consumer(db, ended=date(2023, 3, 15), paid=False)
    with db.read_session() as session:
        number = session.execute(
            sa.select(Invoice.number).where(Invoice.client_id == closed.client_id)
        ).scalar_one()
    code, out, _err = run(db, capsys, "purge", "--at", "2026-04-01")
    lines = out.splitlines()
    assert lines[2] == "Conservés malgré la durée écoulée :"
    assert lines[3].startswith(
        f"  {closed.code} — Jeanne Martin — Le client {closed.code} ne peut pas être anonymisé"
    )
    assert f"restent dus ({number})" in lines[3]


def test_a_bad_date_is_refused_in_french(sqlite_db: Database, capsys: Capture) -> None:
    with pytest.raises(SystemExit) as stopped:
        main(["--db", url(sqlite_db), "purge", "--at", "15/03/2026"])
    out, err = capsys.readouterr()
    assert (stopped.value.code, out) == (1, "")
    assert err == (
        "backoffice : argument --at : « 15/03/2026 » n'est pas une date AAAA-MM-JJ "
        "(par exemple 2026-11-22)\n"
    )
