"""``backoffice upkeep [--at AAAA-MM-JJ]``: the day's status changes that only the
calendar makes (sent quotes past their validity → « Expiré », SEPA mandates
unused for 36 months → « Caduc »), for a scheduled task; the window does the
same at each start. What the user's role may not do is said and left for
another user (exit 0: nothing failed)."""

from __future__ import annotations

import argparse

from desktop.cli import FrenchArgumentParser, _add_db_option, actor_of, iso_date, on_database, say


def add_upkeep_command(commands: argparse._SubParsersAction[FrenchArgumentParser]) -> None:
    parser = commands.add_parser(
        "upkeep", help="mise à jour du jour : devis expirés, mandats SEPA caducs"
    )
    parser.add_argument(
        "--at",
        type=iso_date,
        metavar="AAAA-MM-JJ",
        help="comme si l'on était ce jour-là (défaut : aujourd'hui, heure de Paris)",
    )
    _add_db_option(parser, argparse.SUPPRESS)
    parser.set_defaults(handler=run_upkeep_command)


def run_upkeep_command(args: argparse.Namespace) -> int:
    from desktop.services.upkeep import run_upkeep

    db, upkeep = on_database(args, lambda db: run_upkeep(db, args.at, actor=actor_of(args)))
    say(f"{upkeep.summary()} — {db.description}.")
    for reason in upkeep.skipped:
        say(f"Non fait — {reason}")
    return 0
