"""The ``backoffice`` command: the GUI by default, sub-commands for the office.

Every command exits 0 on success and 1 with one French line on stderr for a
user error (bad arguments, unusable database…), never with a traceback.
``--db URL`` goes before the sub-command and is accepted after it too.
"""

from __future__ import annotations

import argparse
import re
import sys
from collections.abc import Callable, Sequence
from typing import NoReturn

from desktop import __version__
from desktop.db.connect import open_database
from desktop.db.schema import upgrade
from desktop.errors import UserError

PROG = "backoffice"

# argparse speaks English; the office reads French.
_ARGPARSE_FR: tuple[tuple[str, str], ...] = (
    (r"the following arguments are required: (.*)", r"arguments obligatoires manquants : \1"),
    (r"unrecognized arguments: (.*)", r"arguments non reconnus : \1"),
    (
        r"argument (.*?): invalid choice: (.*?) \(choose from (.*)\)",
        r"argument \1 : choix invalide \2 (choix possibles : \3)",
    ),
    (r"argument (.*?): invalid (.*?) value: (.*)", r"argument \1 : valeur invalide \3"),
    (r"argument (.*?): expected one argument", r"argument \1 : une valeur est attendue"),
    (r"argument (.*?): (.*)", r"argument \1 : \2"),
)
_HELP_FR = (
    ("usage:", "utilisation :"),
    ("positional arguments:", "commandes :"),
    ("options:", "options :"),
)


class FrenchArgumentParser(argparse.ArgumentParser):
    """An ArgumentParser whose errors are one French line with exit status 1."""

    def __init__(self, *args: object, **kwargs: object) -> None:
        kwargs.setdefault("add_help", False)
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.add_argument("-h", "--help", action="help", help="afficher cette aide et quitter")

    def error(self, message: str) -> NoReturn:
        for pattern, replacement in _ARGPARSE_FR:
            translated, count = re.subn(f"^{pattern}$", replacement, message)
            if count:
                message = translated
                break
        self.exit(1, f"{PROG} : {message}\n")

    def format_usage(self) -> str:
        return _to_french(super().format_usage())

    def format_help(self) -> str:
        return _to_french(super().format_help())


def _to_french(text: str) -> str:
    for english, french in _HELP_FR:
        text = text.replace(english, french)
    return text


def say(text: str) -> None:
    """One line of a command's result, on stdout."""
    sys.stdout.write(text + "\n")


def complain(text: str) -> None:
    """One line for the user on stderr (absent under pythonw.exe)."""
    if sys.stderr is not None:
        sys.stderr.write(f"{PROG} : {text}\n")


def positive_int(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"« {text} » n'est pas un nombre entier") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"{value} : un nombre supérieur ou égal à 1 est attendu")
    return value


def build_parser() -> FrenchArgumentParser:
    parser = FrenchArgumentParser(
        prog=PROG,
        description="Back-Office Messagerie : clients, domaines, boîtes aux lettres, contrats, "
        "factures. Sans commande, ouvre l'application.",
    )
    parser.add_argument(
        "--version",
        action="version",
        version=f"{PROG} {__version__}",
        help="afficher la version et quitter",
    )
    _add_db_option(parser, argparse.SUPPRESS)
    commands = parser.add_subparsers(
        dest="command", metavar="COMMANDE", parser_class=FrenchArgumentParser
    )

    db_parser = commands.add_parser("db", help="schéma de la base de données")
    db_commands = db_parser.add_subparsers(
        dest="db_command", metavar="ACTION", required=True, parser_class=FrenchArgumentParser
    )
    upgrade_parser = db_commands.add_parser("upgrade", help="créer ou migrer le schéma")
    _add_db_option(upgrade_parser, argparse.SUPPRESS)
    upgrade_parser.set_defaults(handler=run_db_upgrade)

    demo_parser = commands.add_parser(
        "demo", help="charger des données de démonstration (base vide)"
    )
    demo_parser.add_argument(
        "--clients",
        type=positive_int,
        default=60,
        metavar="N",
        help="nombre de clients à créer (défaut : 60)",
    )
    demo_parser.add_argument("--seed", type=int, default=2026, help=argparse.SUPPRESS)
    _add_db_option(demo_parser, argparse.SUPPRESS)
    demo_parser.set_defaults(handler=run_demo)
    return parser


def _add_db_option(parser: argparse.ArgumentParser, default: object) -> None:
    parser.add_argument(
        "--db",
        metavar="URL",
        default=default,
        help="base de données : chemin d'un fichier SQLite ou postgresql+psycopg://… "
        "(défaut : $BACKOFFICE_DB, sinon le fichier de l'utilisateur)",
    )


def run_db_upgrade(args: argparse.Namespace) -> int:
    db = open_database(args.db)
    try:
        result = upgrade(db)
    finally:
        db.dispose()
    if not result.changed:
        say(f"Schéma déjà à jour (révision {result.to_revision}) — {db.description}.")
        return 0
    before = result.from_revision or "base vide"
    say(f"Schéma mis à jour : {before} → {result.to_revision} — {db.description}.")
    if result.backup is not None:
        say(f"Copie de sécurité avant migration : {result.backup}")
    return 0


def run_demo(args: argparse.Namespace) -> int:
    from desktop.services.demo import generate_demo

    db = open_database(args.db)
    try:
        upgrade(db)
        summary = generate_demo(
            db, clients=args.clients, seed=args.seed, progress=_progress_printer()
        )
    finally:
        db.dispose()
    say(
        f"Données de démonstration chargées — {db.description} : "
        f"{summary.clients} clients, {summary.domains} domaines, {summary.contracts} contrats, "
        f"{summary.mailboxes} boîtes aux lettres."
    )
    return 0


def _progress_printer() -> Callable[[str, int, int], None] | None:
    if sys.stderr is None or not sys.stderr.isatty():
        return None

    def report(stage: str, done: int, total: int) -> None:
        end = "\n" if done >= total else ""
        sys.stderr.write(f"\r{stage} : {done}/{total}{end}")
        sys.stderr.flush()

    return report


def run_gui(args: argparse.Namespace) -> int:
    from desktop.app import run

    return run(getattr(args, "db", None))


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if not hasattr(args, "db"):
        args.db = None
    handler: Callable[[argparse.Namespace], int] = getattr(args, "handler", run_gui)
    try:
        return handler(args)
    except UserError as exc:
        complain(exc.message)
        return 1
    except KeyboardInterrupt:
        complain("interrompu.")
        return 130


def gui_main() -> int:
    """Entry point of the windowed launcher (no console on Windows)."""
    from desktop.app import run

    return run(None, argv=sys.argv[1:])
