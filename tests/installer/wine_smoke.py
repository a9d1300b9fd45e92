"""Run by the installed (Windows) python.exe under wine: tests/installer/test_installer.py.

Imports the application and its dependencies on the bundled CPython 3.13 and runs
the domain computations; with arguments, then runs ``python -m desktop`` with them.
Qt cannot start under wine 8 (it needs the system icuuc.dll): not imported here.
"""

import sys

# Wine lacks a function CPython's _wmi needs (platform.win32_ver): here only.
sys.modules["_wmi"] = None  # type: ignore[assignment]

import runpy  # noqa: E402
from datetime import date  # noqa: E402
from decimal import Decimal  # noqa: E402

import facturx  # noqa: E402, F401
import holidays  # noqa: E402, F401
import keyring  # noqa: E402, F401
import lxml.etree  # noqa: E402, F401
import openpyxl  # noqa: E402, F401
import pikepdf  # noqa: E402, F401
import reportlab  # noqa: E402, F401
import schwifty  # noqa: E402, F401
import sepaxml  # noqa: E402, F401
import sqlalchemy  # noqa: E402, F401
import stdnum  # noqa: E402, F401

import desktop  # noqa: E402
from desktop.domain.clock import PARIS  # noqa: E402
from desktop.domain.contracts import early_termination_fee, period_end, renewal_floor  # noqa: E402

assert sys.version_info[:2] == (3, 13), sys.version
assert period_end(date(2026, 1, 1), 36, 12, date(2026, 10, 15)) == date(2028, 12, 31)
fee = early_termination_fee(date(2026, 1, 1), 36, 12, date(2026, 10, 15), Decimal("200"))
assert fee == Decimal("3000"), fee
assert renewal_floor(5) == 3
# Every module of the application imports on 3.13 (those needing Qt excepted).
import importlib  # noqa: E402
import pkgutil  # noqa: E402
import warnings  # noqa: E402

skipped = []
for module in pkgutil.walk_packages(desktop.__path__, "desktop."):
    if module.name.endswith("__main__") or module.name.startswith(
        ("desktop.ui", "desktop.db.migrations")
    ):
        continue
    with warnings.catch_warnings():
        warnings.simplefilter("error", DeprecationWarning)
        try:
            importlib.import_module(module.name)
        except ImportError as exc:
            if "Qt" not in str(exc) and "PySide6" not in str(exc):
                raise
            skipped.append(module.name)
print(f"modules imported; needing Qt: {', '.join(skipped) or 'none'}")  # noqa: T201
print(f"smoke ok: Python {sys.version.split()[0]}, desktop {desktop.__version__}, {PARIS}")  # noqa: T201

if len(sys.argv) > 1:
    sys.argv = ["backoffice", *sys.argv[1:]]
    runpy.run_module("desktop", run_name="__main__")
