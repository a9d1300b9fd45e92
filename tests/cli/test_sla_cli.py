"""`backoffice sla report` from the command line."""

from __future__ import annotations

from datetime import datetime
from io import BytesIO
from pathlib import Path

import pytest
from openpyxl import load_workbook  # type: ignore[import-untyped]

from desktop.cli import main
from desktop.db.engine import Database
from desktop.db.models import Incident
from desktop.domain.clock import PARIS
from desktop.domain.enums import IncidentChannel, IncidentStatus
from tests.services.factories import world


def test_report_writes_the_workbook(
    capsys: pytest.CaptureFixture[str], sqlite_db: Database, tmp_path: Path
) -> None:
    w = world(sqlite_db)
    with sqlite_db.session_scope() as session:
        session.add(
            Incident(
                number="ND-2026-00001",
                client_id=w.client_id,
                product_line_id=w.he_line_id,
                channel=IncidentChannel.PHONE,
                received_at=datetime(2026, 3, 10, 9, 0, tzinfo=PARIS),
                restored_at=datetime(2026, 3, 10, 18, 0, tzinfo=PARIS),
                status=IncidentStatus.RESTORED,
                description="Panne",
            )
        )
    target = tmp_path / "x.xlsx"
    path = str(sqlite_db.url.database)

    status = main(["--db", path, "sla", "report", "--month", "2026-03", "-o", str(target)])
    out, err = capsys.readouterr()

    assert (status, err) == (0, "")
    assert out == (
        f"Rapport de disponibilité de mars 2026 enregistré : {target} "
        "(1 ligne(s), 1 sous l'objectif).\n"
    )
    sheet = load_workbook(BytesIO(target.read_bytes())).active
    assert sheet.title == "Disponibilité mars 2026"
    assert sheet["B4"].value == "Acme Industrie"


@pytest.mark.parametrize("month", ["2026-13", "mars", "2026-3-1"])
def test_a_bad_month_is_one_french_line(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, month: str
) -> None:
    with pytest.raises(SystemExit) as exited:
        main(["sla", "report", "--month", month, "-o", str(tmp_path / "x.xlsx")])
    out, err = capsys.readouterr()
    assert (exited.value.code, out) == (1, "")
    assert err == (
        f"backoffice : argument --month : « {month} » n'est pas un mois AAAA-MM "
        "(par exemple 2026-11)\n"
    )
    assert not (tmp_path / "x.xlsx").exists()
