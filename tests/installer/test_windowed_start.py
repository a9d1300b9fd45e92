"""``pythonw.exe -m desktop`` (the Windows shortcuts): no console, sys.stderr is None.

A start-up error must reach the log file and a dialog. Runs with the ordinary tests.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

SCRIPT = """
import runpy, sys
sys.stderr = None  # as under pythonw.exe
sys.modules["desktop.cli"] = None  # a start-up failure: the import breaks
from PySide6.QtWidgets import QMessageBox
QMessageBox.critical = lambda parent, title, text: print("DIALOG", title, "|", text)
sys.argv = ["desktop"]
runpy.run_module("desktop", run_name="__main__")
"""


def test_start_up_error_is_logged_and_shown_in_a_dialog(user_dirs: Path) -> None:
    result = subprocess.run(
        [sys.executable, "-c", SCRIPT],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
        cwd=Path(__file__).resolve().parents[2],
    )
    assert result.returncode == 1, result.stdout + result.stderr
    assert "DIALOG Back-Office Messagerie | L'application n'a pas pu démarrer" in result.stdout
    logs = list(user_dirs.rglob("backoffice.log"))
    assert len(logs) == 1
    text = logs[0].read_text(encoding="utf-8")
    assert "Start-up failed" in text and "desktop.cli" in text
