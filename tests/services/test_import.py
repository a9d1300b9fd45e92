"""Importing clients, domains and mailboxes from .xlsx and .csv files: all or nothing."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import openpyxl
import pytest
import sqlalchemy as sa
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from desktop.db.engine import Database
from desktop.db.models import Client, Domain, LifecycleEvent, Mailbox
from desktop.domain.enums import ClientKind, LifecycleKind, MailboxStatus
from desktop.errors import UserError
from desktop.services.importing import (
    ImportKind,
    ImportReport,
    Problem,
    import_file,
    summary_text,
    template_bytes,
)
from desktop.services.importing.columns import header_key, match_columns
from desktop.services.importing.reading import read_sheet
from tests.services.factories import (
    ACTOR,
    OTHER_SIREN,
    SIREN,
    SIRET,
    VAT,
    client,
    mailbox,
    world,
)

CLIENT_HEADERS = ["Raison sociale", "SIREN", "SIRET", "N° de TVA", "E-mail de facturation", "Ville"]
GOOD_CLIENTS = [
    ["Acme Industrie", SIREN, SIRET, VAT, "compta@acme.fr", "Lyon"],
    ["Bâtiments Généraux", OTHER_SIREN, "", "", "factures@batiments.fr", "Créteil"],
]


def write_xlsx(path: Path, rows: list[list[object]]) -> Path:
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    assert sheet is not None
    for row in rows:
        sheet.append(row)
    workbook.save(path)
    return path


def write_csv(path: Path, rows: list[list[str]], *, encoding: str, sep: str = ";") -> Path:
    buffer = io.StringIO(newline="")
    csv.writer(buffer, delimiter=sep).writerows(rows)
    path.write_bytes(buffer.getvalue().encode(encoding))
    return path


def count(db: Database, model: type) -> int:
    with db.read_session() as session:
        return int(session.execute(sa.select(sa.func.count()).select_from(model)).scalar_one())


def texts(report: ImportReport) -> list[str]:
    return [p.text() for p in report.problems]


# --- reading ----------------------------------------------------------------------------


def test_header_keys_ignore_case_accents_and_signs() -> None:
    assert header_key("E-mail de facturation") == header_key("email DE Facturation ")
    assert header_key("Téléphone") == "telephone"


def test_columns_matched_in_french_and_english_unknown_ones_ignored() -> None:
    columns = match_columns(ImportKind.CLIENTS, ("Name", "siren", "Billing email", "Couleur"))
    assert set(columns.positions) == {"name", "siren", "billing_email"}
    assert columns.ignored == ("Couleur",)
    assert columns.missing == ()


def test_good_xlsx_imports_every_client(db: Database, tmp_path: Path) -> None:
    path = write_xlsx(tmp_path / "clients.xlsx", [CLIENT_HEADERS, *GOOD_CLIENTS])
    report = import_file(db, ImportKind.CLIENTS, path, actor=ACTOR)
    assert report.problems == ()
    assert (report.rows, report.imported) == (2, 2)
    assert summary_text(report) == "2 clients importés."
    with db.read_session() as session:
        rows = session.execute(
            sa.select(
                Client.code, Client.name, Client.siren, Client.vat_number, Client.kind
            ).order_by(Client.id)
        ).all()
    assert [tuple(r) for r in rows] == [
        ("CL00001", "Acme Industrie", SIREN, VAT, ClientKind.BUSINESS),
        ("CL00002", "Bâtiments Généraux", OTHER_SIREN, None, ClientKind.BUSINESS),
    ]


def test_french_csv_windows_1252_semicolons(db: Database, tmp_path: Path) -> None:
    path = write_csv(tmp_path / "clients.csv", [CLIENT_HEADERS, *GOOD_CLIENTS], encoding="cp1252")
    report = import_file(db, ImportKind.CLIENTS, path, actor=ACTOR)
    assert report.problems == ()
    assert report.imported == 2
    with db.read_session() as session:
        names = session.scalars(sa.select(Client.city).order_by(Client.id)).all()
    assert names == ["Lyon", "Créteil"]


def test_utf8_bom_csv_with_commas_and_english_headers(db: Database, tmp_path: Path) -> None:
    rows = [["Name", "SIREN", "Billing email", "Notes"], ["Café Plus", SIREN, "a@cafe.fr", "é"]]
    path = write_csv(tmp_path / "c.csv", rows, encoding="utf-8-sig", sep=",")
    report = import_file(db, ImportKind.CLIENTS, path, actor=ACTOR)
    assert (report.problems, report.imported) == ((), 1)
    with db.read_session() as session:
        assert session.scalars(sa.select(Client.name)).all() == ["Café Plus"]


def test_french_postcode_typed_as_a_number_keeps_its_zero(db: Database, tmp_path: Path) -> None:
    rows = [
        ["Nom", "SIREN", "E-mail", "Code postal", "Ville"],
        ["Ain", SIREN, "a@b.fr", 1000, "Bourg"],
    ]
    report = import_file(db, ImportKind.CLIENTS, write_xlsx(tmp_path / "c.xlsx", rows), actor=ACTOR)
    assert report.problems == ()
    with db.read_session() as session:
        assert session.scalars(sa.select(Client.postcode)).all() == ["01000"]


def test_bytes_are_accepted_with_a_file_name(db: Database) -> None:
    data = f"Nom;SIREN;E-mail\nAcme;{SIREN};a@acme.fr\n".encode()
    report = import_file(db, ImportKind.CLIENTS, data, filename="x.csv", actor=ACTOR)
    assert report.imported == 1


def test_wrong_headers_name_the_missing_columns(db: Database, tmp_path: Path) -> None:
    path = write_csv(
        tmp_path / "c.csv",
        [["Société", "SIREN", "Mail"], ["Acme", SIREN, "a@b.fr"]],
        encoding="utf-8",
    )
    report = import_file(db, ImportKind.CLIENTS, path, actor=ACTOR)
    assert report.imported == 0
    assert report.ignored_columns == ("Société", "Mail")
    assert texts(report) == [
        "Ligne 1, colonne « Raison sociale » : Colonne obligatoire absente (en-têtes "
        "acceptés : « Raison sociale », « Nom », « Nom du client », « Name », "
        "« Company name », « Company »).",
        "Ligne 1, colonne « E-mail de facturation » : Colonne obligatoire absente (en-têtes "
        "acceptés : « E-mail de facturation », « Adresse e-mail de facturation », "
        "« Billing email », « E-mail », « Courriel », « Email address »).",
    ]
    assert count(db, Client) == 0


def test_bad_siren_and_bad_email_listed_by_row_and_column_nothing_imported(
    db: Database, tmp_path: Path
) -> None:
    rows = [
        CLIENT_HEADERS,
        GOOD_CLIENTS[0],
        ["Mauvais", "552081318", "", "", "compta@acme.fr", "Paris"],
        ["Sans arobase", OTHER_SIREN, "", "", "compta.acme.fr", "Paris"],
    ]
    path = write_xlsx(tmp_path / "c.xlsx", rows)
    report = import_file(db, ImportKind.CLIENTS, path, actor=ACTOR)
    assert report.imported == 0
    assert report.problems[0].row == 3 and report.problems[0].column == "SIREN"
    assert report.problems[1] == Problem(
        4,
        "E-mail de facturation",
        "L'adresse e-mail doit contenir un « @ » (par exemple jean.dupont@exemple.fr).",
    )
    assert len(report.problems) == 2
    assert summary_text(report) == "0 ligne importée : 2 problème(s) (rien n'a été importé)."
    assert count(db, Client) == 0


def test_dry_run_writes_nothing_and_finds_the_same_problems(db: Database, tmp_path: Path) -> None:
    path = write_xlsx(tmp_path / "c.xlsx", [CLIENT_HEADERS, *GOOD_CLIENTS])
    report = import_file(db, ImportKind.CLIENTS, path, dry_run=True, actor=ACTOR)
    assert (report.problems, report.imported, report.rows) == ((), 0, 2)
    assert count(db, Client) == 0


def test_duplicate_siren_in_file_and_in_database(db: Database, tmp_path: Path) -> None:
    existing = client(db)  # SIREN
    rows = [CLIENT_HEADERS, GOOD_CLIENTS[0], GOOD_CLIENTS[1], GOOD_CLIENTS[1]]
    report = import_file(db, ImportKind.CLIENTS, write_xlsx(tmp_path / "c.xlsx", rows), actor=ACTOR)
    assert texts(report) == [
        f"Ligne 2, colonne « SIREN » : Un client a déjà le SIREN {SIREN} : "
        f"{existing.code} — Acme Industrie.",
        f"Ligne 4, colonne « SIREN » : Le SIREN {OTHER_SIREN} est déjà à la ligne 3.",
    ]
    assert count(db, Client) == 1


# --- file-level errors ------------------------------------------------------------------


def test_truncated_xlsx_is_refused(db: Database, tmp_path: Path) -> None:
    good = write_xlsx(tmp_path / "good.xlsx", [CLIENT_HEADERS, *GOOD_CLIENTS]).read_bytes()
    cut = tmp_path / "cut.xlsx"
    cut.write_bytes(good[: len(good) // 2])
    with pytest.raises(UserError, match="Le classeur « cut.xlsx » est illisible : il est tronqué"):
        import_file(db, ImportKind.CLIENTS, cut, actor=ACTOR)
    assert count(db, Client) == 0


def test_png_renamed_csv_is_refused(db: Database, tmp_path: Path) -> None:
    path = tmp_path / "clients.csv"
    path.write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)))
    with pytest.raises(UserError) as caught:
        import_file(db, ImportKind.CLIENTS, path, actor=ACTOR)
    assert caught.value.message == (
        "« clients.csv » est une image PNG, pas un tableau : importez un classeur Excel "
        "(.xlsx) ou un fichier CSV."
    )


def test_pdf_renamed_csv_is_refused(db: Database, tmp_path: Path) -> None:
    path = tmp_path / "clients.csv"
    path.write_bytes(b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n")
    with pytest.raises(UserError, match="est un document PDF, pas un tableau"):
        import_file(db, ImportKind.CLIENTS, path, actor=ACTOR)


def test_binary_without_signature_is_not_text(db: Database, tmp_path: Path) -> None:
    path = tmp_path / "data.csv"
    path.write_bytes(b"Nom;SIREN\x00\x01\x02")
    with pytest.raises(UserError, match="ne contient pas de texte lisible"):
        import_file(db, ImportKind.CLIENTS, path, actor=ACTOR)


def test_empty_file_is_refused(db: Database, tmp_path: Path) -> None:
    path = tmp_path / "vide.csv"
    path.write_bytes(b"")
    with pytest.raises(UserError, match="Le fichier « vide.csv » est vide."):
        import_file(db, ImportKind.CLIENTS, path, actor=ACTOR)


def test_header_only_is_one_problem(db: Database) -> None:
    report = import_file(
        db, ImportKind.CLIENTS, b"Nom;SIREN;E-mail\n", filename="x.csv", actor=ACTOR
    )
    assert texts(report) == ["Ligne 1 : Le fichier n'a aucune ligne sous l'en-tête."]


def test_unknown_encoding_is_refused() -> None:
    # 0x81 is undefined in Windows-1252 and invalid UTF-8.
    with pytest.raises(UserError, match="L'encodage de « x.csv » n'est pas reconnu"):
        read_sheet("Nom;Ville\nA;B\x81\n".encode("latin-1"), "x.csv")


def test_utf16_is_refused_with_advice() -> None:
    with pytest.raises(UserError, match="est encodé en UTF-16"):
        read_sheet("Nom\tSIREN\nA\tB\n".encode("utf-16"), "x.csv")


def test_word_document_is_not_a_workbook(tmp_path: Path) -> None:
    import zipfile

    path = tmp_path / "lettre.xlsx"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("word/document.xml", "<w:document/>")
    with pytest.raises(UserError, match="n'est pas un classeur Excel"):
        read_sheet(path.read_bytes(), "lettre.xlsx")


def test_missing_file_is_a_user_error(db: Database, tmp_path: Path) -> None:
    with pytest.raises(UserError, match="introuvable"):
        import_file(db, ImportKind.CLIENTS, tmp_path / "absent.csv", actor=ACTOR)


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.binary(max_size=400))
def test_csv_reader_never_fails_otherwise(data: bytes) -> None:
    try:
        sheet = read_sheet(data, "fuzz.csv")
    except UserError:
        return
    assert all(isinstance(cell, str) for row in sheet.rows for cell in row.cells)


@settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    st.lists(st.lists(st.text(max_size=12), min_size=1, max_size=4), min_size=1, max_size=5),
    st.sampled_from([";", ","]),
)
def test_import_of_arbitrary_csv_is_a_report_or_a_user_error(
    sqlite_db: Database, rows: list[list[str]], sep: str
) -> None:
    buffer = io.StringIO(newline="")
    csv.writer(buffer, delimiter=sep).writerows([["Nom", "SIREN", "E-mail"], *rows])
    try:
        report = import_file(
            sqlite_db,
            ImportKind.CLIENTS,
            buffer.getvalue().encode("utf-8"),
            filename="fuzz.csv",
            dry_run=True,
            actor=ACTOR,
        )
    except UserError:
        return
    assert report.imported == 0


@settings(max_examples=100, deadline=None)
@given(st.text(max_size=200), st.sampled_from(["utf-8", "utf-8-sig", "cp1252"]))
def test_csv_text_reads_or_explains(text: str, encoding: str) -> None:
    try:
        data = text.encode(encoding)
    except UnicodeEncodeError:
        return
    try:
        read_sheet(data, "fuzz.csv")
    except UserError:
        pass


# --- domains ----------------------------------------------------------------------------

DOMAIN_HEADERS = ["Client", "Nom de domaine", "Principal"]


def test_domains_by_client_code_or_siren(db: Database, tmp_path: Path) -> None:
    owner = client(db)
    rows = [DOMAIN_HEADERS, [owner.code, "exemple.fr", ""], [SIREN, "Café.fr", "oui"]]
    report = import_file(db, ImportKind.DOMAINS, write_xlsx(tmp_path / "d.xlsx", rows), actor=ACTOR)
    assert (report.problems, report.imported) == ((), 2)
    with db.read_session() as session:
        domains = session.execute(
            sa.select(Domain.name, Domain.is_primary, Domain.admin_certified_by).order_by(Domain.id)
        ).all()
        events = session.scalars(sa.select(LifecycleEvent.kind)).all()
    assert [tuple(d) for d in domains] == [
        ("exemple.fr", False, ACTOR),
        ("xn--caf-dma.fr", True, ACTOR),
    ]
    assert events == [LifecycleKind.ADMIN_CERTIFICATION] * 2


def test_domain_problems(db: Database, tmp_path: Path) -> None:
    owner = client(db)
    world_owner = world(db, client_name="Autre", suffix="x")
    rows = [
        DOMAIN_HEADERS,
        ["CL99999", "inconnu.fr", ""],
        [owner.code, "acmex.fr", ""],  # the world's domain
        [owner.code, "pas un domaine", ""],
        [owner.code, "bon.fr", "peut-être"],
        [owner.code, "Bon.FR", ""],
        [owner.code, "annuaire.tel", ""],
    ]
    report = import_file(db, ImportKind.DOMAINS, write_xlsx(tmp_path / "d.xlsx", rows), actor=ACTOR)
    assert texts(report) == [
        "Ligne 2, colonne « Client » : Aucun client n'a le code ou le SIREN « CL99999 ».",
        "Ligne 3, colonne « Nom de domaine » : Le domaine « acmex.fr » est déjà enregistré "
        "pour le client Autre.",
        "Ligne 4, colonne « Nom de domaine » : Le nom de domaine ne doit pas contenir d'espace.",
        "Ligne 5, colonne « Principal » : « peut-être » : indiquez « oui » ou « non ».",
        "Ligne 6, colonne « Nom de domaine » : Le domaine « Bon.FR » est déjà à la ligne 5.",
        report.problems[5].text(),
    ]
    assert report.problems[5].row == 7 and ".tel" in report.problems[5].message
    assert world_owner.domain_id > 0
    assert count(db, Domain) == 1


# --- mailboxes --------------------------------------------------------------------------

MAILBOX_HEADERS = ["Adresse e-mail", "Formule", "Contrat", "Nom affiché", "Quota (Go)"]


def test_mailboxes_imported_with_derived_fields(db: Database, tmp_path: Path) -> None:
    w = world(db)
    rows = [
        MAILBOX_HEADERS,
        ["Jean.Dupont@ACME.fr", "HE-STD", "", "Jean Dupont", ""],
        ["contact@acme.fr", "he-plus", "C2026-00001", "", "20"],
        ["o365@acme.fr", "O365-BUS", "", "", ""],
    ]
    path = write_csv(tmp_path / "b.csv", rows, encoding="cp1252")
    report = import_file(db, ImportKind.MAILBOXES, path, actor=ACTOR)
    assert (report.problems, report.imported) == ((), 3)
    assert summary_text(report) == "3 boîtes aux lettres importées."
    with db.read_session() as session:
        boxes = session.execute(
            sa.select(
                Mailbox.address,
                Mailbox.contract_id,
                Mailbox.plan_id,
                Mailbox.quota_gb,
                Mailbox.status,
                Mailbox.client_id,
                Mailbox.version,
            ).order_by(Mailbox.id)
        ).all()
    assert [tuple(b) for b in boxes] == [
        (
            "jean.dupont@acme.fr",
            w.he_contract_id,
            w.he_plan_id,
            10,
            MailboxStatus.REQUESTED,
            w.client_id,
            1,
        ),
        (
            "contact@acme.fr",
            w.he_contract_id,
            w.he_big_plan_id,
            20,
            MailboxStatus.REQUESTED,
            w.client_id,
            1,
        ),
        (
            "o365@acme.fr",
            w.o365_contract_id,
            w.o365_plan_id,
            50,
            MailboxStatus.REQUESTED,
            w.client_id,
            1,
        ),
    ]


def test_duplicate_addresses_in_file_and_in_database(db: Database, tmp_path: Path) -> None:
    w = world(db)
    mailbox(db, w, "jean")
    rows = [
        MAILBOX_HEADERS,
        ["jean@acme.fr", "HE-STD", "", "", ""],
        ["paul@acme.fr", "HE-STD", "", "", ""],
        ["Paul@acme.fr", "HE-STD", "", "", ""],
    ]
    report = import_file(
        db, ImportKind.MAILBOXES, write_xlsx(tmp_path / "b.xlsx", rows), actor=ACTOR
    )
    assert texts(report) == [
        "Ligne 2, colonne « Adresse e-mail » : L'adresse jean@acme.fr existe déjà.",
        "Ligne 4, colonne « Adresse e-mail » : L'adresse paul@acme.fr est déjà à la ligne 3.",
    ]
    assert count(db, Mailbox) == 1


def test_mailbox_reference_problems(db: Database, tmp_path: Path) -> None:
    world(db)
    rows = [
        MAILBOX_HEADERS,
        ["jean@inconnu.fr", "HE-STD", "", "", ""],
        ["jean", "HE-STD", "", "", ""],
        ["é@acme.fr", "HE-STD", "", "", ""],
        ["a@acme.fr", "NOPE", "", "", ""],
        ["b@acme.fr", "HE-STD", "C1999-1", "", ""],
        ["c@acme.fr", "HE-STD", "C2026-00002", "", ""],
        ["d@acme.fr", "HE-STD", "", "", "2000"],
    ]
    report = import_file(
        db, ImportKind.MAILBOXES, write_xlsx(tmp_path / "b.xlsx", rows), actor=ACTOR
    )
    assert [(p.row, p.column) for p in report.problems] == [
        (2, "Adresse e-mail"),
        (3, "Adresse e-mail"),
        (4, "Adresse e-mail"),
        (5, "Formule"),
        (6, "Contrat"),
        (7, "Formule"),
        (8, "Quota (Go)"),
    ]
    assert report.problems[0].message == (
        "Le domaine « inconnu.fr » n'existe pas : créez-le ou importez-le d'abord pour son client."
    )
    assert report.problems[3].message == "Aucune formule n'a le code « NOPE »."
    assert report.problems[4].message == "Aucun contrat n'a le numéro « C1999-1 »."
    assert report.problems[5].message == (
        "La formule Exchange Standard n'appartient pas à la gamme Office 365 du contrat."
    )
    assert report.problems[6].message == "Le quota doit être compris entre 1 et 1024 Go."
    assert count(db, Mailbox) == 0


# --- template ---------------------------------------------------------------------------


@pytest.mark.parametrize("kind", list(ImportKind))
def test_template_has_french_headers_and_reads_back(kind: ImportKind) -> None:
    data = template_bytes(kind)
    sheet = read_sheet(data, "modele.xlsx")
    columns = match_columns(kind, sheet.headers)
    assert columns.missing == () and columns.ignored == ()
    assert len(sheet.rows) == 1
    workbook = openpyxl.load_workbook(io.BytesIO(data))
    assert workbook.worksheets[0].cell(1, 1).comment is not None


def test_client_template_example_imports(db: Database) -> None:
    data = template_bytes(ImportKind.CLIENTS)
    report = import_file(db, ImportKind.CLIENTS, data, filename="modele.xlsx", actor=ACTOR)
    assert (report.problems, report.imported) == ((), 1)
