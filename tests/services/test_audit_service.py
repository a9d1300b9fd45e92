"""Reading the audit trail: filters, labels, the Excel export, Core writes, the CLI."""

from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path

import pytest
import sqlalchemy as sa
from openpyxl import load_workbook  # type: ignore[import-untyped]

from desktop.cli import main
from desktop.db.engine import Database
from desktop.db.models import AuditLog, StaffUser
from desktop.domain.enums import AuditAction, StaffRole
from desktop.errors import PermissionDeniedError, UserError
from desktop.services import audit as audit_service
from desktop.services.audit import (
    audit_export,
    changes_since,
    field_changes,
    list_audit,
    lower_first,
)
from desktop.services.billing_run import run_billing
from desktop.services.clients import update_client
from desktop.services.importing import ImportKind, import_file
from desktop.services.issuing import issue_drafts
from desktop.services.listing import ListQuery
from tests.services import billing_helpers as h
from tests.services.billing_helpers import MARCH
from tests.services.factories import ACTOR, business_draft, client, world
from tests.services.invoice_helpers import billing_setup, draft_invoice

ADMIN = "admin"


def changed_client(db: Database) -> int:
    """A client created by ACTOR, its phone then changed by mmartin."""
    created = client(db, phone="01 02 03 04 05")
    update_client(
        db,
        created.id,
        business_draft(phone="06 07 08 09 10"),
        expected_version=created.version,
        actor="mmartin",
    )
    return created.id


def put_at(db: Database, when: datetime) -> None:
    """Date every audit row so far (the date filters are about days)."""
    with db.session_scope() as session:
        session.execute(sa.update(AuditLog).values(at=when))


def listed(db: Database, **filters: object) -> list[tuple[str, str, AuditAction]]:
    search = str(filters.pop("search", ""))
    page = list_audit(db, ListQuery(search=search, filters=filters), actor=ADMIN)
    return [(row.user, row.element, row.action) for row in page.rows]


def test_newest_first_with_names_and_labels(db: Database) -> None:
    client_id = changed_client(db)
    page = list_audit(db, ListQuery(), actor=ADMIN)
    assert page.total == 2
    update, creation = page.rows
    assert (update.user, update.element, update.action) == (
        "mmartin",
        "Client Acme Industrie",
        AuditAction.UPDATE,
    )
    assert update.entity_id == creation.entity_id == client_id
    assert update.summary == "Téléphone : 01 02 03 04 05 → 06 07 08 09 10"
    assert creation.user == ACTOR and creation.action is AuditAction.CREATE
    assert creation.summary.startswith("Code : CL00001 ; Type : Entreprise ; Nom : Acme Industrie")
    assert "Statut : Actif" in creation.summary


def test_filters_user_kind_action_id_and_search(db: Database) -> None:
    client_id = changed_client(db)
    client(db, name="Zoé Bio", siren="443061841", phone="01 99 99 99 99")
    assert listed(db, user="mmartin") == [("mmartin", "Client Acme Industrie", AuditAction.UPDATE)]
    assert len(listed(db, entity="client")) == 3
    assert listed(db, entity="mailbox") == []
    assert listed(db, action="update") == [("mmartin", "Client Acme Industrie", AuditAction.UPDATE)]
    assert [row[1] for row in listed(db, entity_id=client_id, entity="client")] == [
        "Client Acme Industrie",
        "Client Acme Industrie",
    ]
    assert listed(db, search="01 99") == [(ACTOR, "Client Zoé Bio", AuditAction.CREATE)]


def test_date_range_in_paris_days(db: Database) -> None:
    changed_client(db)
    put_at(db, datetime(2026, 11, 21, 23, 30, tzinfo=UTC))  # 22/11 at 00:30 in Paris
    assert len(listed(db, since=date(2026, 11, 22), until=date(2026, 11, 22))) == 2
    assert listed(db, until=date(2026, 11, 21)) == []
    assert listed(db, since=date(2026, 11, 23)) == []
    with pytest.raises(UserError, match="La date de début est postérieure à la date de fin"):
        listed(db, since=date(2026, 11, 23), until=date(2026, 11, 22))


def test_values_read_as_people_read_them() -> None:
    changes = field_changes(
        "incident",
        {"status": "open", "restored_at": None, "equipment_replacement": False},
        {
            "status": "restored",
            "restored_at": "2026-05-25T08:00:00+00:00",
            "equipment_replacement": True,
            "_version": 3,
        },
    )
    assert [change.text(AuditAction.UPDATE) for change in changes] == [
        "Statut : Ouvert → Rétabli",
        "Rétabli le : — → 25/05/2026 10:00",
        "Remplacement d'équipement : Non → Oui",
    ]
    assert lower_first("Téléphone") == "téléphone"
    assert lower_first("SIREN") == "SIREN"
    assert lower_first("N° de TVA") == "N° de TVA"


def test_only_administrators_read_the_trail(db: Database) -> None:
    changed_client(db)
    with db.session_scope() as session:
        session.add(StaffUser(login=ADMIN, full_name="Alice Admin", role=StaffRole.ADMIN))
        session.add(StaffUser(login="compta", full_name="Carl Compta", role=StaffRole.BILLING))
    with pytest.raises(PermissionDeniedError, match="consulter le journal d'audit"):
        list_audit(db, ListQuery(), actor="compta")
    assert list_audit(db, ListQuery(), actor=ADMIN).total == 4


def test_export_of_every_page(
    db: Database, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(audit_service, "EXPORT_PAGE", 1)  # three pages of one row
    changed_client(db)
    client(db, name="Zoé Bio", siren="443061841")
    target = tmp_path / "journal.xlsx"
    now = datetime(2026, 11, 23, 9, 5, tzinfo=UTC)
    query = ListQuery(filters={"entity": "client"})
    assert audit_export(db, target, query, actor=ADMIN, now=now) == 3
    sheet = load_workbook(target).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][0] == "Journal d'audit"
    assert rows[1][0] == "Exporté le 23/11/2026 à 10:05 — filtre : Client"
    assert rows[3] == ("Date", "Utilisateur", "Élément", "Action", "Modifications")
    assert [row[1:4] for row in rows[4:]] == [
        (ACTOR, "Client Zoé Bio", "Création"),
        ("mmartin", "Client Acme Industrie", "Modification"),
        (ACTOR, "Client Acme Industrie", "Création"),
    ]
    assert isinstance(rows[4][0], datetime)
    assert rows[5][4] == "Téléphone : 01 02 03 04 05 → 06 07 08 09 10"


def test_changes_since_a_version(db: Database) -> None:
    client_id = changed_client(db)
    with db.read_session() as session:
        assert changes_since(session, "client", client_id, 1).users == ("mmartin",)
        assert changes_since(session, "client", client_id, 1).fields == ("Téléphone",)
        assert changes_since(session, "client", client_id, 2).fields == ()


def test_an_issue_is_one_transition_row(db: Database) -> None:
    client_id = billing_setup(db)
    invoice_id = draft_invoice(db, client_id)
    (number,) = issue_drafts(db, [invoice_id], actor="compta", today=date(2026, 11, 2))
    with db.read_session() as session:
        row = session.execute(
            sa.select(AuditLog.user, AuditLog.action, AuditLog.before, AuditLog.after).where(
                AuditLog.entity == "invoice", AuditLog.action == AuditAction.TRANSITION
            )
        ).one()
    assert tuple(row) == (
        "compta",
        AuditAction.TRANSITION,
        {"status": "draft"},
        {
            "status": "issued",
            "number": number,
            "issued_on": "2026-11-02",
            "total_incl_vat": "110.41",
            "_version": 2,
        },
    )


def test_a_billing_run_writes_one_summary_row_per_batch(db: Database) -> None:
    h.provider(db)
    line = h.product_line(db)
    plan = h.plan(db, line)
    for index in range(3):
        who = h.customer(
            db, line, name=f"Client {index}", domain_name=f"c{index}.fr", number=f"C-{index}"
        )
        h.account(db, who, "jean", plan)
    report = run_billing(
        db, MARCH, actor="compta", today=date(2026, 3, 2), issue=True, batch_size=2
    )
    with db.read_session() as session:
        rows = session.execute(
            sa.select(AuditLog.user, AuditLog.entity_id, AuditLog.after)
            .where(AuditLog.entity.in_(["billing_run", "invoice"]))
            .order_by(AuditLog.id)
        ).all()
    assert [(user, entity_id) for user, entity_id, _ in rows] == [
        ("compta", 202603),
        ("compta", 202603),
    ]
    first, second = (after for _, _, after in rows)
    assert first["month"] == "2026-03" and first["invoices"] == 2 and first["issued"] is True
    assert (first["first_number"], first["last_number"]) == report.numbers[:2]
    assert (second["invoices"], second["first_number"]) == (1, report.numbers[2])
    total = sum(float(after["total_incl_vat"]) for _, _, after in rows)
    assert total == pytest.approx(float(report.total_incl_vat))


def test_a_mailbox_import_writes_one_summary_row(db: Database, tmp_path: Path) -> None:
    w = world(db)
    path = tmp_path / "boites.csv"
    path.write_text("Adresse e-mail;Formule\njean@acme.fr;HE-STD\nanne@acme.fr;HE-STD\n")
    assert import_file(db, ImportKind.MAILBOXES, path, actor="compta").imported == 2
    page = list_audit(db, ListQuery(filters={"entity": "mailbox_import"}), actor=ADMIN)
    (row,) = page.rows
    assert (row.user, row.action) == ("compta", AuditAction.CREATE)
    assert row.summary == (
        "Boîtes aux lettres : 2 ; Clients : 1 ; "
        "Première adresse : jean@acme.fr ; Dernière adresse : anne@acme.fr"
    )
    assert w.client_id > 0


def test_the_command_line_export(db: Database, tmp_path: Path) -> None:
    changed_client(db)
    target = tmp_path / "audit.xlsx"
    url = db.url.render_as_string(hide_password=False)
    assert main(["audit", "-o", str(target), "--by", "mmartin", "--db", url]) == 0
    rows = list(load_workbook(target).active.iter_rows(values_only=True))
    assert [row[1:4] for row in rows[4:]] == [("mmartin", "Client Acme Industrie", "Modification")]
