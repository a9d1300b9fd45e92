"""The installer tests run only when asked: ``python -m pytest -m installer tests/installer``
(as ``.ci/run`` does) or with BACKOFFICE_INSTALLER_TESTS=1; the README's plain test
command skips them before building anything."""

from __future__ import annotations

import os

import pytest


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    asked = "installer" in (config.getoption("markexpr") or "")
    if asked or os.environ.get("BACKOFFICE_INSTALLER_TESTS") == "1":
        return
    skip = pytest.mark.skip(reason="installer build: python -m pytest -m installer tests/installer")
    for item in items:
        if item.get_closest_marker("installer") is not None:
            item.add_marker(skip)
