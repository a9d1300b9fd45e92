"""``backoffice user …``: staff accounts from the command line, and logging commands in.

``user add LOGIN --role ROLE`` creates the first administrator of a database
(while no account is in use nobody is asked to log in). Once accounts are in
use every command that opens the database logs in first (:func:`log_in`): the
login from ``--user``, else ``$BACKOFFICE_USER``, else the system user; the
password from ``$BACKOFFICE_PASSWORD``, else asked on the terminal.

A new password is asked twice on a terminal, else read from the first line of
the standard input (``echo "$PASS" | backoffice user add …`` in a script).
"""

from __future__ import annotations

import argparse
import getpass
import os
import sys
from typing import TYPE_CHECKING

from desktop.cli import (
    FrenchArgumentParser,
    _add_db_option,
    _command_group,
    actor_of,
    complain,
    on_database,
    say,
)
from desktop.domain.enums import StaffRole
from desktop.domain.errors import ValidationError
from desktop.domain.roles import parse_role
from desktop.errors import UserError
from desktop.settings import staff_name

if TYPE_CHECKING:
    from desktop.db.engine import Database
    from desktop.services.staff import StaffRow

USER_VARIABLE = "BACKOFFICE_USER"
PASSWORD_VARIABLE = "BACKOFFICE_PASSWORD"


def add_staff_commands(commands: argparse._SubParsersAction[FrenchArgumentParser]) -> None:
    """``backoffice user add|list|passwd|disable|enable|unlock``."""
    users = _command_group(commands, "user", "comptes du personnel")
    add = users.add_parser("add", help="créer un compte (le premier : un administrateur)")
    add.add_argument("login", metavar="IDENTIFIANT", help="identifiant de connexion (j.dupont)")
    add.add_argument(
        "--role",
        required=True,
        type=role_argument,
        metavar="RÔLE",
        help="administrateur, facturation, support ou lecture",
    )
    add.add_argument("--name", metavar="NOM", help="nom complet (défaut : l'identifiant)")
    add.add_argument("--email", metavar="E-MAIL", help="adresse e-mail")
    _add_password_option(add)
    add.set_defaults(handler=run_user_add)
    listing = users.add_parser("list", help="lister les comptes")
    listing.set_defaults(handler=run_user_list)
    parsers = [add, listing]
    for name, help_text, handler in (
        ("passwd", "réinitialiser le mot de passe d'un compte", run_user_passwd),
        ("disable", "désactiver un compte (plus de connexion)", run_user_disable),
        ("enable", "réactiver un compte", run_user_enable),
        ("unlock", "déverrouiller un compte après des essais infructueux", run_user_unlock),
    ):
        parser = users.add_parser(name, help=help_text)
        parser.add_argument("login", metavar="IDENTIFIANT", help="identifiant du compte")
        if handler is run_user_passwd:
            _add_password_option(parser)
        parser.set_defaults(handler=handler)
        parsers.append(parser)
    for parser in parsers:
        _add_db_option(parser, argparse.SUPPRESS)


def _add_password_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--password",
        metavar="MOT_DE_PASSE",
        help="le nouveau mot de passe, pour un script (sinon demandé deux fois, ou lu sur "
        "la première ligne de l'entrée standard) ; visible des autres utilisateurs du poste",
    )


def role_argument(text: str) -> StaffRole:
    try:
        return parse_role(text)
    except ValidationError as exc:
        raise argparse.ArgumentTypeError(exc.errors["role"].rstrip(".")) from None


# --- logging a command in ---------------------------------------------------------------


def log_in(args: argparse.Namespace, db: Database) -> None:
    """Once staff accounts are in use, authenticate the command's user: ``args.actor``."""
    from desktop.services.staff import authenticate, staff_accounts_in_use

    if not staff_accounts_in_use(db):
        return
    login = getattr(args, "user", None) or os.environ.get(USER_VARIABLE) or staff_name()
    password = os.environ.get(PASSWORD_VARIABLE)
    if password is None:
        password = _ask_login_password(login)
    account = authenticate(db, login, password)
    if account.must_change_password:
        complain(
            "votre mot de passe a été réinitialisé : changez-le dans l'application "
            "(Fichier → Changer de mot de passe…)."
        )
    args.actor = account.login


def _ask_login_password(login: str) -> str:
    if not _on_terminal():
        raise UserError(
            f"les comptes du personnel sont en service : donnez le mot de passe de « {login} » "
            f"dans la variable {PASSWORD_VARIABLE} (identifiant : --user ou {USER_VARIABLE}), "
            "ou lancez la commande dans un terminal."
        )
    return getpass.getpass(f"Mot de passe de {login} : ")


def _on_terminal() -> bool:
    return sys.stdin is not None and sys.stdin.isatty()


def read_new_password(args: argparse.Namespace) -> str:
    """A new password: --password, else typed twice on a terminal, else stdin's first line."""
    login = args.login.strip()
    if args.password is not None:
        return str(args.password)
    if _on_terminal():
        first = getpass.getpass(f"Nouveau mot de passe de {login} : ")
        if getpass.getpass("Confirmez le mot de passe : ") != first:
            raise UserError("les deux saisies du mot de passe diffèrent : rien n'a été enregistré.")
        return first
    line = sys.stdin.readline() if sys.stdin is not None else ""
    if not line:
        raise UserError(
            f"mot de passe de « {login} » attendu sur l'entrée standard (première ligne)."
        )
    return line.rstrip("\r\n")


# --- commands ---------------------------------------------------------------------------


def run_user_add(args: argparse.Namespace) -> int:
    from desktop.services.staff import add_staff

    def work(db: Database) -> StaffRow:
        password = read_new_password(args)
        return add_staff(
            db,
            args.login,
            args.name or args.login.strip(),
            args.role,
            password,
            email=args.email,
            actor=actor_of(args),
        )

    _, row = on_database(args, work)
    say(f"Compte « {row.login} » créé ({row.role.label}).")
    return 0


def run_user_list(args: argparse.Namespace) -> int:
    from desktop.services.staff import list_staff

    _, rows = on_database(args, list_staff)
    for row in rows:
        say(account_line(row))
    say(f"{len(rows)} compte(s).")
    return 0


def account_line(row: StaffRow) -> str:
    """« j.dupont — Jean Dupont — Facturation — actif — dernière connexion le … »."""
    from desktop.documents.french import french_datetime

    parts = [row.login, row.full_name, row.role.label, "actif" if row.active else "désactivé"]
    if row.locked_until is not None:
        parts.append(f"verrouillé jusqu'au {french_datetime(row.locked_until)}")
    if row.must_change_password:
        parts.append("mot de passe à changer")
    last = row.last_login_at
    parts.append(f"dernière connexion le {french_datetime(last)}" if last else "jamais connecté")
    return " — ".join(parts)


def run_user_passwd(args: argparse.Namespace) -> int:
    from desktop.services.staff import reset_password

    _, row = on_database(
        args,
        lambda db: reset_password(db, args.login, read_new_password(args), actor=actor_of(args)),
    )
    say(
        f"Mot de passe de « {row.login} » réinitialisé : "
        "il devra être changé à la prochaine connexion."
    )
    return 0


def run_user_disable(args: argparse.Namespace) -> int:
    from desktop.services.staff import set_active

    _, row = on_database(args, lambda db: set_active(db, args.login, False, actor=actor_of(args)))
    say(f"Compte « {row.login} » désactivé.")
    return 0


def run_user_enable(args: argparse.Namespace) -> int:
    from desktop.services.staff import set_active

    _, row = on_database(args, lambda db: set_active(db, args.login, True, actor=actor_of(args)))
    say(f"Compte « {row.login} » réactivé.")
    return 0


def run_user_unlock(args: argparse.Namespace) -> int:
    from desktop.services.staff import unlock

    _, row = on_database(args, lambda db: unlock(db, args.login, actor=actor_of(args)))
    say(f"Compte « {row.login} » déverrouillé.")
    return 0
