"""``backoffice purge`` and ``backoffice anonymise …``: personal data from the command line.

``purge`` lists what the retention periods make due at a date and changes
nothing; ``purge --yes`` anonymises exactly that list, all or nothing.
``anonymise client CODE`` and ``anonymise mailbox ADRESSE`` anonymise one
terminated client or one deleted mailbox at once (nothing is asked: the
command is the confirmation). Invoices and credit notes are never touched.
"""

from __future__ import annotations

import argparse
from collections.abc import Callable
from typing import TYPE_CHECKING

from desktop.cli import (
    FrenchArgumentParser,
    _add_db_option,
    _command_group,
    actor_of,
    iso_date,
    on_database,
    say,
)
from desktop.documents.french import french_date
from desktop.domain.clock import paris_today

if TYPE_CHECKING:
    from desktop.db.engine import Database
    from desktop.services.personal_data import Anonymised, PurgePlan, PurgeReport


def add_personal_data_commands(
    commands: argparse._SubParsersAction[FrenchArgumentParser],
) -> None:
    purge = commands.add_parser(
        "purge", help="anonymiser les données personnelles dont la conservation a expiré"
    )
    purge.add_argument(
        "--at",
        type=iso_date,
        metavar="AAAA-MM-JJ",
        help="durées de conservation comptées jusqu'à cette date (défaut : aujourd'hui)",
    )
    purge.add_argument(
        "--yes", action="store_true", help="anonymiser la liste (sans cette option : aperçu)"
    )
    _add_db_option(purge, argparse.SUPPRESS)
    purge.set_defaults(handler=run_purge_command)
    anonymise = _command_group(
        commands, "anonymise", "anonymiser un client résilié ou une boîte supprimée"
    )
    client = anonymise.add_parser("client", help="anonymiser un client résilié (ou un prospect)")
    client.add_argument("code", metavar="CODE", help="code du client (par exemple CL00012)")
    _add_db_option(client, argparse.SUPPRESS)
    client.set_defaults(handler=run_anonymise_client)
    mailbox = anonymise.add_parser("mailbox", help="anonymiser une boîte aux lettres supprimée")
    mailbox.add_argument("address", metavar="ADRESSE", help="adresse de la boîte")
    _add_db_option(mailbox, argparse.SUPPRESS)
    mailbox.set_defaults(handler=run_anonymise_mailbox)


def run_purge_command(args: argparse.Namespace) -> int:
    from desktop.services.personal_data import plan_purge, run_purge

    at = args.at or paris_today()
    if not args.yes:
        _, plan = on_database(args, lambda db: plan_purge(db, at))
        for line in plan_lines(plan):
            say(line)
        return 0

    def apply(db: Database) -> PurgeReport:
        plan = plan_purge(db, at)
        return run_purge(db, at, actor=actor_of(args), expected=plan)

    _, report = on_database(args, apply)
    for line in report_lines(report):
        say(line)
    return 0


def plan_lines(plan: PurgePlan) -> list[str]:
    settings = plan.settings
    lines = [
        f"Purge des données personnelles au {french_date(plan.at)} — aperçu, rien n'est "
        f"modifié (conservation : prospects {settings.prospect_months} mois, clients "
        f"résiliés {settings.client_months} mois, boîtes supprimées "
        f"{settings.mailbox_months} mois)."
    ]
    lines += [f"{item.kind.label} {item.label} : {item.why}." for item in plan.items]
    if plan.held:
        lines.append("Conservés malgré la durée écoulée :")
        lines += [f"  {held.label} — {held.why}" for held in plan.held]
    count = len(plan.items)
    if count:
        lines.append(
            f"{count} élément(s) seraient anonymisés ; pour le faire : backoffice purge "
            f"--at {plan.at.isoformat()} --yes"
        )
    else:
        lines.append("Rien à anonymiser à cette date.")
    return lines


def report_lines(report: PurgeReport) -> list[str]:
    lines = [f"Anonymisé : {done.kind.label.lower()} {done.label}." for done in report.done]
    lines.append(
        f"Purge au {french_date(report.at)} : {report.count} élément(s) anonymisé(s). "
        "Factures et avoirs conservés tels qu'émis."
    )
    return lines


def run_anonymise_client(args: argparse.Namespace) -> int:
    from desktop.services.personal_data import anonymise_client, client_id_by_code

    return _anonymise(
        args,
        lambda db: anonymise_client(db, client_id_by_code(db, args.code), actor=actor_of(args)),
    )


def run_anonymise_mailbox(args: argparse.Namespace) -> int:
    from desktop.services.personal_data import anonymise_mailbox, mailbox_id_by_address

    return _anonymise(
        args,
        lambda db: anonymise_mailbox(
            db, mailbox_id_by_address(db, args.address), actor=actor_of(args)
        ),
    )


def _anonymise(args: argparse.Namespace, work: Callable[[Database], Anonymised]) -> int:
    _, done = on_database(args, work)
    say(done.summary)
    return 0
