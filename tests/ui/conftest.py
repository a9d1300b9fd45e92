"""The dialog tests build their records with the services' factories (tests/services)."""

from __future__ import annotations

import sys
from pathlib import Path

SERVICES_TESTS = str(Path(__file__).resolve().parents[1] / "services")
if SERVICES_TESTS not in sys.path:
    sys.path.insert(0, SERVICES_TESTS)

# The screen tests' fixtures (a clean QSettings, the files the system is asked to open).
from window_helpers import fresh_settings, opened_urls  # noqa: E402, F401
