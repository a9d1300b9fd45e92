"""The Windows installer, built on Linux and checked without Windows.

Runs only when asked (``python -m pytest -m installer tests/installer``, as ``.ci/run``
does, or with BACKOFFICE_INSTALLER_TESTS=1; see conftest.py): the build takes a minute
or two and needs Debian's ``nsis`` and ``p7zip-full``. It builds with ``--fast`` (zlib)
from the pinned, hash-checked downloads cached in ``installer/.cache/`` (downloaded when
missing).
"""

from __future__ import annotations

import ast
import importlib.util
import os
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path
from types import ModuleType

import pytest

ROOT = Path(__file__).resolve().parents[2]
BUILD_SCRIPT = ROOT / "installer" / "build.py"

pytestmark = pytest.mark.installer

# Modules compiled into python313.dll on Windows (not files of the bundle).
WINDOWS_BUILTIN_MODULES = {
    "array", "atexit", "binascii", "builtins", "cmath", "errno", "faulthandler", "gc",
    "itertools", "marshal", "math", "mmap", "msvcrt", "nt", "sys", "time", "winreg",
    "zlib", "_winapi", "_thread", "_io", "_datetime",
}  # fmt: skip


@pytest.fixture(scope="module", autouse=True)
def build_tools() -> None:
    for tool in ("makensis", "7z"):
        if shutil.which(tool) is None:
            pytest.fail(f"{tool} is needed: apt-get install nsis p7zip-full")


@pytest.fixture(scope="module")
def build() -> ModuleType:
    spec = importlib.util.spec_from_file_location("installer_build", BUILD_SCRIPT)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # its dataclasses look their module up
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def setup_exe(build: ModuleType) -> Path:
    """``python installer/build.py --fast``, as a user would run it."""
    result = subprocess.run(
        [sys.executable, str(BUILD_SCRIPT), "--fast"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=3600,
        check=False,
    )
    assert result.returncode == 0, result.stdout[-5000:] + result.stderr[-5000:]
    exe = build.DIST / f"{build.APP_NAME}-Setup-{build.app_version()}.exe"
    assert exe.is_file()
    return exe


@pytest.fixture(scope="module")
def listing(setup_exe: Path) -> set[str]:
    """The paths in the installer, as ``7z l`` reads them (forward slashes)."""
    result = subprocess.run(
        ["7z", "l", "-slt", str(setup_exe)], capture_output=True, text=True, check=True
    )
    assert "Type = Nsis" in result.stdout
    paths = set()
    for line in result.stdout.splitlines():
        if line.startswith("Path = "):
            path = line[len("Path = ") :].replace("\\", "/")
            paths.add(path.removeprefix("$INSTDIR/"))
    return paths


def test_setup_is_a_64_bit_windows_executable(setup_exe: Path) -> None:
    import pefile

    pe = pefile.PE(str(setup_exe), fast_load=True)
    try:
        assert pe.OPTIONAL_HEADER.Magic == 0x20B  # PE32+
        assert pe.FILE_HEADER.Machine == pefile.MACHINE_TYPE["IMAGE_FILE_MACHINE_AMD64"]
        assert pe.OPTIONAL_HEADER.Subsystem == pefile.SUBSYSTEM_TYPE["IMAGE_SUBSYSTEM_WINDOWS_GUI"]
    finally:
        pe.close()


def test_installer_holds_interpreter_application_and_qt(listing: set[str]) -> None:
    for needed in (
        "python.exe",
        "pythonw.exe",
        "python313.dll",
        "python313.zip",
        "python313._pth",
        "app/desktop/__main__.py",
        "app/desktop/app.py",
        "app/resources/fonts",
        "app/app.ico",
        "Lib/site-packages/PySide6/Qt6Core.dll",
        "Lib/site-packages/PySide6/Qt6Widgets.dll",
        "Lib/site-packages/PySide6/plugins/platforms/qwindows.dll",
        "Lib/site-packages/tzdata/__init__.py",
    ):
        assert any(path == needed or path.startswith(needed + "/") for path in listing), needed


def test_unused_qt_parts_are_trimmed(listing: set[str]) -> None:
    names = {path.rsplit("/", 1)[-1].lower() for path in listing}
    for trimmed in ("opengl32sw.dll", "qt6qml.dll", "qt6quick.dll", "designer.exe"):
        assert trimmed not in names


def test_every_dll_import_resolves(setup_exe: Path, build: ModuleType) -> None:
    """Every DLL/.pyd of the unpacked bundle finds its imports in the bundle or Windows."""
    bundle = build.BUNDLE
    assert (bundle / "pythonw.exe").is_file()
    binaries = [p for p in bundle.rglob("*") if p.suffix.lower() in (".dll", ".pyd")]
    assert len(binaries) > 50
    assert build.unresolved_imports(bundle) == []
    assert build.qt_problems(bundle) == []


def test_pth_file_adds_dependencies_and_application(setup_exe: Path, build: ModuleType) -> None:
    lines = (build.BUNDLE / "python313._pth").read_text(encoding="ascii").splitlines()
    assert lines[:2] == ["python313.zip", "."]
    assert "Lib\\site-packages" in lines and "app" in lines and "import site" in lines


def test_application_imports_exist_in_the_bundled_python(
    setup_exe: Path, build: ModuleType
) -> None:
    """Python 3.13 compatibility: every module the application imports is in the
    bundled standard library (3.13 dropped cgi, imghdr, telnetlib…) or its wheels."""
    bundle = build.BUNDLE
    with zipfile.ZipFile(bundle / "python313.zip") as stdlib:
        available = {name.split("/")[0].removesuffix(".pyc") for name in stdlib.namelist()}
    available |= {p.name.split(".")[0] for p in bundle.glob("*.pyd")}
    site_packages = bundle / "Lib" / "site-packages"
    available |= {p.name.split(".")[0] for p in site_packages.iterdir()}
    available |= WINDOWS_BUILTIN_MODULES | {"desktop", "__future__"}
    missing = set()
    for source in (ROOT / "desktop").rglob("*.py"):
        tree = ast.parse(source.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                names = [node.module]
            else:
                continue
            for name in names:
                if name.split(".")[0] not in available:
                    missing.add(f"{source.relative_to(ROOT)}: {name}")
    assert not missing, sorted(missing)


def _wine64() -> str | None:
    found = shutil.which("wine64")
    if found is None and Path("/usr/lib/wine/wine64").exists():
        found = "/usr/lib/wine/wine64"
    return found


@pytest.mark.skipif(_wine64() is None, reason="optional: apt-get install wine64")
def test_silent_install_run_and_uninstall_under_wine(
    setup_exe: Path, tmp_path_factory: pytest.TempPathFactory
) -> None:
    """Install with /S, run the domain and a CLI command (demo data, a Factur-X invoice)
    on the bundled Python, uninstall with /S: the program goes, the user's data stays."""
    wine = _wine64()
    assert wine is not None
    prefix = tmp_path_factory.mktemp("wine")
    env = dict(os.environ, WINEPREFIX=str(prefix), WINEDEBUG="-all", WINEDLLOVERRIDES="mshtml=")
    env.pop("DISPLAY", None)
    env.pop("WAYLAND_DISPLAY", None)

    def run(*args: str, timeout: int = 600) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [wine, *args],
            env=env,
            capture_output=True,
            encoding="cp1252",  # redirected output: the Windows ANSI code page
            errors="replace",
            timeout=timeout,
            check=False,
        )

    wineserver = shutil.which("wineserver") or "/usr/lib/wine/wineserver"
    run("wineboot", "-i")
    run("winecfg", "/v", "win10")  # the installer refuses anything older than Windows 10
    local = prefix / "drive_c" / "users" / os.environ.get("USER", "root") / "AppData" / "Local"
    if not local.parent.is_dir():
        local = next((prefix / "drive_c" / "users").glob("*/AppData/Local"))
    program = local / "Programs" / "BackOfficeMessagerie"
    assert run(str(setup_exe), "/S").returncode == 0
    subprocess.run([wineserver, "-w"], env=env, check=False)
    assert (program / "pythonw.exe").is_file()
    # compileall ran at install time, and the 3.13 compiler accepted every module.
    package = program / "app" / "desktop"
    compiled = {
        pyc.parent.parent / (pyc.name.split(".")[0] + ".py")
        for pyc in package.rglob("__pycache__/*.cpython-313.pyc")
    }
    assert set(package.rglob("*.py")) <= compiled

    work = prefix / "drive_c" / "smoke"
    work.mkdir()
    shutil.copy2(Path(__file__).with_name("wine_smoke.py"), work / "smoke.py")
    python = str(program / "python.exe")
    result = run(python, r"C:\smoke\smoke.py")
    assert "smoke ok: Python 3.13" in result.stdout, result.stdout + result.stderr
    db = ["--db", r"C:\smoke\demo.sqlite3"]
    smoke = r"C:\smoke\smoke.py"
    result = run(python, smoke, *db, "demo", "--clients", "2", "--billing-months", "1")
    assert result.returncode == 0, result.stdout + result.stderr
    result = run(python, r"C:\smoke\smoke.py", *db, "invoice", "pdf", "F2026-000001", "-o",
                 r"C:\smoke\invoice.pdf")  # fmt: skip
    assert result.returncode == 0, result.stdout + result.stderr
    assert (work / "invoice.pdf").read_bytes().startswith(b"%PDF")

    data = local / "BackOfficeMessagerie"
    data.mkdir(parents=True, exist_ok=True)
    (data / "backoffice.sqlite3").write_bytes(b"the user's data")
    assert run(str(program / "Desinstaller.exe"), "/S").returncode == 0
    subprocess.run([wineserver, "-w"], env=env, check=False)
    assert not program.exists()
    assert (data / "backoffice.sqlite3").read_bytes() == b"the user's data"
