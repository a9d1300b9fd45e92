"""The small parts the new screens share: dates typed, documents opened, rows shown."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtTest import QAbstractItemModelTester
from PySide6.QtWidgets import QFileDialog, QPushButton, QWidget
from pytestqt.qtbot import QtBot
from window_helpers import WAIT, OpenedUrls

from desktop.domain.errors import InvalidValue
from desktop.errors import UserError
from desktop.ui.db_worker import DbWorker
from desktop.ui.documents import Document, open_document, safe_filename, save_document, write_temp
from desktop.ui.models.rows_model import RowColumn, RowsModel
from desktop.ui.widgets.date_field import DateField, parse_date
from desktop.ui.widgets.flow_layout import FlowLayout


@pytest.mark.parametrize(
    "typed",
    ["22/11/2026", "22/11/26", "22.11.2026", "22-11-2026", "22112026", "221126", " 2026-11-22 "],
)
def test_dates_are_typed_the_french_way(typed: str) -> None:
    assert parse_date(typed) == date(2026, 11, 22)


@pytest.mark.parametrize(
    ("typed", "message"),
    [
        ("22/11", "Date attendue au format jj/mm/aaaa (par exemple 22/11/2026)."),
        ("demain", "Date attendue au format jj/mm/aaaa (par exemple 22/11/2026)."),
        ("30/02/2027", "Cette date n'existe pas : 30/02/2027."),
    ],
)
def test_a_wrong_date_says_why(typed: str, message: str) -> None:
    with pytest.raises(InvalidValue) as caught:
        parse_date(typed)
    assert caught.value.message == message


def test_the_date_field(qtbot: QtBot) -> None:
    field = DateField(date(2026, 1, 5))
    qtbot.addWidget(field)
    assert field.text() == "05/01/2026"
    field.setText("31/12/2026")
    assert field.date() == date(2026, 12, 31)
    field.setText("31/13/2026")
    assert field.date() is None
    assert field.placeholderText() == "jj/mm/aaaa"


def test_documents_get_names_windows_accepts_and_never_overwrite() -> None:
    assert safe_filename('Fiche DNS a/b:c*?"<>|.pdf') == "Fiche DNS a-b-c-.pdf"
    first = write_temp(Document("Contrat C2026-00001.pdf", b"%PDF-1"))
    second = write_temp(Document("Contrat C2026-00001.pdf", b"%PDF-2"))
    assert first != second
    assert second.name == "Contrat C2026-00001 (2).pdf"
    assert (first.read_bytes(), second.read_bytes()) == (b"%PDF-1", b"%PDF-2")


def test_a_document_is_built_off_the_gui_thread_and_opened(
    qtbot: QtBot, opened_urls: OpenedUrls
) -> None:
    worker = DbWorker()
    owner = QWidget()
    qtbot.addWidget(owner)
    failures: list[Exception] = []
    open_document(owner, worker, lambda: Document("essai.pdf", b"%PDF-x"), failed=failures.append)
    qtbot.waitUntil(lambda: bool(opened_urls), timeout=WAIT)
    assert Path(opened_urls[0]).read_bytes() == b"%PDF-x"

    def missing() -> Document:
        raise ModuleNotFoundError("No module named 'desktop.documents.nothing'")

    open_document(owner, worker, missing, failed=failures.append)
    qtbot.waitUntil(lambda: bool(failures), timeout=WAIT)
    assert isinstance(failures[0], UserError)
    assert failures[0].message == (
        "Ce document n'est pas encore disponible dans cette version de l'application."
    )
    worker.stop()


def test_save_as_writes_where_the_user_chose(
    qtbot: QtBot, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    target = tmp_path / "mon contrat"
    monkeypatch.setattr(QFileDialog, "getSaveFileName", lambda *_a, **_k: (str(target), ""))
    worker = DbWorker()
    owner = QWidget()
    qtbot.addWidget(owner)
    saved: list[Path] = []
    build = lambda: Document("x.pdf", b"%PDF-y")  # noqa: E731
    save_document(owner, worker, build, "Contrat.pdf", failed=pytest.fail, saved=saved.append)
    qtbot.waitUntil(lambda: bool(saved), timeout=WAIT)
    assert saved == [tmp_path / "mon contrat.pdf"]
    assert saved[0].read_bytes() == b"%PDF-y"
    worker.stop()


def test_buttons_wrap_when_the_pane_is_narrow(qtbot: QtBot) -> None:
    bar = QWidget()
    qtbot.addWidget(bar)
    layout = FlowLayout(bar)
    for index in range(6):
        layout.addWidget(QPushButton(f"Action numéro {index}…"))
    one_line = layout.heightForWidth(2000)
    assert layout.heightForWidth(250) > 2 * one_line
    bar.resize(250, layout.heightForWidth(250))
    bar.show()
    qtbot.waitExposed(bar)
    buttons = bar.findChildren(QPushButton)
    assert all(b.geometry().right() <= 250 for b in buttons)
    layout.clear()
    assert layout.count() == 0


@dataclass(frozen=True)
class Line:
    name: str
    amount: int


def _red_if_negative(row: Line) -> str | None:
    return "#c0262d" if row.amount < 0 else None


def test_the_rows_model(qtbot: QtBot) -> None:
    model = RowsModel(
        (
            RowColumn(
                "Nom", lambda r: r.name, colour=lambda r: "#c0262d" if r.amount < 0 else None
            ),
            RowColumn("Montant", lambda r: str(r.amount), right=True, bold=lambda r: r.amount > 9),
        )
    )
    QAbstractItemModelTester(model, QAbstractItemModelTester.FailureReportingMode.Warning)
    model.set_rows([Line("a", 1), Line("b", -2), Line("c", 10)])
    assert model.rowCount() == 3 and model.columnCount() == 2
    assert model.headerData(1, Qt.Orientation.Horizontal) == "Montant"
    assert model.index(1, 0).data(Qt.ItemDataRole.ForegroundRole).name() == "#c0262d"
    assert model.index(2, 1).data(Qt.ItemDataRole.FontRole).bold()
    assert model.index(0, 1).data(Qt.ItemDataRole.TextAlignmentRole) == int(
        Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter
    )
    model.set_rows([])
    assert model.rowCount() == 0


def test_support_time_left_reads_in_words_and_colour() -> None:
    from datetime import timedelta

    from desktop.ui.formatting import GREEN, ORANGE, RED, support_left_colour, support_left_text

    assert support_left_text(timedelta(hours=3, minutes=5)) == "3 h 05 ouvrées restantes"
    assert support_left_colour(timedelta(hours=3, minutes=5)) == GREEN
    assert support_left_colour(timedelta(hours=2)) == ORANGE
    assert support_left_text(-timedelta(hours=1, minutes=20)) == "dépassé de 1 h 20 ouvrées"
    # The deadline passed on Friday evening; Monday 8:00, no support time since.
    assert support_left_text(timedelta(0), breached=True) == "dépassé de 0 h 00 ouvrées"
    assert support_left_colour(timedelta(0), breached=True) == RED
