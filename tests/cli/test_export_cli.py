"""`backoffice export TABLE -o FICHIER.xlsx` from the command line."""

from __future__ import annotations

from pathlib import Path

import pytest
from openpyxl import load_workbook  # type: ignore[import-untyped]

from desktop.cli import main
from desktop.db.engine import Database
from desktop.documents.xlsx import HEADER_ROW
from tests.services.factories import mailbox, world


def run(db: Database, *args: str) -> int:
    return main(["--db", str(db.url.database), "export", *args])


def test_export_writes_the_filtered_sorted_list(
    capsys: pytest.CaptureFixture[str], sqlite_db: Database, tmp_path: Path
) -> None:
    w = world(sqlite_db)
    for local in ("alice", "bob", "=cmd", "dupont"):
        mailbox(sqlite_db, w, local.strip("="), display_name=local)
    target = tmp_path / "out" / "boites.xlsx"
    target.parent.mkdir()

    status = run(
        sqlite_db,
        "mailboxes",
        "-o",
        str(target),
        "--filter",
        "status=Demandée",
        "--sort",
        "display_name",
        "--desc",
    )

    assert status == 0
    assert capsys.readouterr().out == f"4 ligne(s) exportée(s) dans {target}.\n"
    sheet = load_workbook(target).active
    assert sheet["A2"].value.endswith("filtre : État : Demandée, tri : Nom affiché ↓")
    names = [row[1] for row in sheet.iter_rows(min_row=HEADER_ROW + 1, values_only=True)]
    assert names == ["dupont", "bob", "alice", "=cmd"]
    formula_like = sheet.cell(HEADER_ROW + 4, 2)
    assert formula_like.data_type == "s" and formula_like.quotePrefix


def test_search_narrows_the_export(
    capsys: pytest.CaptureFixture[str], sqlite_db: Database, tmp_path: Path
) -> None:
    w = world(sqlite_db)
    for local in ("alice", "bob"):
        mailbox(sqlite_db, w, local)
    target = tmp_path / "b.xlsx"
    assert run(sqlite_db, "mailboxes", "-o", str(target), "--search", "bob") == 0
    assert capsys.readouterr().out.startswith("1 ligne(s) exportée(s)")
    sheet = load_workbook(target).active
    assert sheet.cell(HEADER_ROW + 1, 1).value == "bob@acme.fr"
    assert sheet.max_row == HEADER_ROW + 1


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--filter", "status=zzz"], "Valeur « zzz » non valable pour le filtre « status »."),
        (["--filter", "couleur=bleu"], "Filtre inconnu : « couleur »."),
        (["--filter", "status"], "la forme attendue est NOM=VALEUR."),
        (["--sort", "zzz"], "Tri inconnu : « zzz »."),
    ],
)
def test_bad_arguments_exit_1_with_one_french_line_and_no_file(
    capsys: pytest.CaptureFixture[str],
    sqlite_db: Database,
    tmp_path: Path,
    args: list[str],
    message: str,
) -> None:
    folder = tmp_path / "out"
    folder.mkdir()
    status = run(sqlite_db, "mailboxes", "-o", str(folder / "x.xlsx"), *args)
    assert status == 1
    err = capsys.readouterr().err
    assert err.startswith("backoffice : ") and message in err and err.count("\n") == 1
    assert list(folder.iterdir()) == []


def test_unknown_table_is_refused(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    with pytest.raises(SystemExit) as exit_info:
        main(["export", "factures", "-o", str(tmp_path / "x.xlsx")])
    assert exit_info.value.code == 1
    err = capsys.readouterr().err
    assert "choix invalide 'factures'" in err and "'mailboxes'" in err
    assert list(tmp_path.iterdir()) == []


def test_every_table_exports(
    capsys: pytest.CaptureFixture[str], demo_db: Database, tmp_path: Path
) -> None:
    for table in ("clients", "domains", "mailboxes", "contracts", "invoices", "incidents"):
        target = tmp_path / f"{table}.xlsx"
        assert run(demo_db, table, "-o", str(target)) == 0
        assert load_workbook(target).active.max_row >= HEADER_ROW
    assert capsys.readouterr().out.count("exportée(s)") == 6
