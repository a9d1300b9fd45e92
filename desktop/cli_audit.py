"""``backoffice audit -o FICHIER.xlsx``: the audit trail to Excel, for administrators.

``--since``/``--until`` (AAAA-MM-JJ, Paris days, both included), ``--by LOGIN``
(the user who made the changes: ``--user`` is the login of whoever runs the
command), ``--entity`` (a table name such as ``client`` or ``mailbox``),
``--action`` and ``--search`` narrow the rows, newest first.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from desktop.cli import (
    FrenchArgumentParser,
    _add_db_option,
    actor_of,
    iso_date,
    on_database,
    say,
)
from desktop.domain.enums import AuditAction
from desktop.services.audit import ENTITY_LABELS


def add_audit_command(commands: argparse._SubParsersAction[FrenchArgumentParser]) -> None:
    parser = commands.add_parser("audit", help="exporter le journal d'audit vers Excel (.xlsx)")
    parser.add_argument(
        "-o", "--output", required=True, type=Path, metavar="FICHIER", help="classeur .xlsx"
    )
    parser.add_argument("--since", type=iso_date, metavar="AAAA-MM-JJ", help="depuis ce jour")
    parser.add_argument("--until", type=iso_date, metavar="AAAA-MM-JJ", help="jusqu'à ce jour")
    parser.add_argument("--by", metavar="IDENTIFIANT", help="changements faits par ce compte")
    parser.add_argument(
        "--entity",
        choices=sorted(ENTITY_LABELS),
        metavar="ÉLÉMENT",
        help="type d'élément : " + ", ".join(sorted(ENTITY_LABELS)),
    )
    parser.add_argument(
        "--action",
        choices=[action.value for action in AuditAction],
        metavar="ACTION",
        help=", ".join(action.value for action in AuditAction),
    )
    parser.add_argument("--search", default="", metavar="TEXTE", help="texte recherché")
    _add_db_option(parser, argparse.SUPPRESS)
    parser.set_defaults(handler=run_audit)


def run_audit(args: argparse.Namespace) -> int:
    from desktop.services.audit import audit_export
    from desktop.services.listing import ListQuery

    filters = {
        "user": args.by,
        "entity": args.entity,
        "action": args.action,
        "since": args.since,
        "until": args.until,
    }
    query = ListQuery(
        search=args.search,
        filters={name: value for name, value in filters.items() if value is not None},
    )
    target = Path(args.output).expanduser().absolute()
    _, count = on_database(args, lambda db: audit_export(db, target, query, actor=actor_of(args)))
    say(f"{count} ligne(s) du journal d'audit exportée(s) dans {target}.")
    return 0
