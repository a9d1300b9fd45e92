"""The ``backoffice`` command: the GUI by default, sub-commands for the office.

Every command exits 0 on success and 1 with one French line on stderr for a
user error (bad arguments, unusable database…), never with a traceback.
``--db URL`` goes before the sub-command and is accepted after it too.
"""

from __future__ import annotations

import argparse
import multiprocessing
import os
import re
import sys
import tempfile
from collections.abc import Callable, Sequence
from datetime import date, datetime
from pathlib import Path
from typing import TYPE_CHECKING, NoReturn, TypeVar

from desktop import __version__
from desktop.db.connect import open_database
from desktop.db.schema import upgrade
from desktop.domain.clock import PARIS, paris_today
from desktop.errors import UserError
from desktop.settings import staff_name

if TYPE_CHECKING:
    from desktop.db.engine import Database
    from desktop.services.billing_run import BillingPreview, BillingReport
    from desktop.services.dunning import DunningPlan, DunningReport

T = TypeVar("T")

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

    db_commands = _command_group(commands, "db", "schéma de la base de données")
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
    demo_parser.add_argument(
        "--billing-months",
        type=history_months,
        default=12,
        metavar="M",
        help="mois passés à facturer, avec paiements et avoirs (0 à 24, défaut : 12)",
    )
    demo_parser.add_argument("--seed", type=int, default=2026, help=argparse.SUPPRESS)
    _add_db_option(demo_parser, argparse.SUPPRESS)
    demo_parser.set_defaults(handler=run_demo)

    contract_commands = _command_group(commands, "contract", "contrats")
    contract_pdf_parser = contract_commands.add_parser("pdf", help="imprimer un contrat en PDF")
    contract_pdf_parser.add_argument(
        "number", metavar="NUMÉRO", help="numéro du contrat (par exemple C2026-00012)"
    )
    contract_pdf_parser.add_argument(
        "-o", "--output", required=True, type=Path, metavar="FICHIER", help="PDF à écrire"
    )
    _add_db_option(contract_pdf_parser, argparse.SUPPRESS)
    contract_pdf_parser.set_defaults(handler=run_contract_pdf)

    quote_commands = _command_group(commands, "quote", "devis")
    quote_pdf_parser = quote_commands.add_parser("pdf", help="imprimer un devis en PDF")
    quote_pdf_parser.add_argument(
        "number", metavar="NUMÉRO", help="numéro du devis (par exemple D2026-00001)"
    )
    quote_pdf_parser.add_argument(
        "-o", "--output", required=True, type=Path, metavar="FICHIER", help="PDF à écrire"
    )
    _add_db_option(quote_pdf_parser, argparse.SUPPRESS)
    quote_pdf_parser.set_defaults(handler=run_quote_pdf)

    renewals_commands = _command_group(commands, "renewals", "renouvellements tacites")
    run_parser = renewals_commands.add_parser(
        "run", help="renouveler les contrats arrivés à échéance"
    )
    run_parser.add_argument(
        "--at",
        type=iso_date,
        metavar="AAAA-MM-JJ",
        help="traiter les échéances atteintes à cette date (défaut : aujourd'hui)",
    )
    run_parser.add_argument(
        "--dry-run", action="store_true", help="montrer ce qui serait fait, sans rien écrire"
    )
    _add_db_option(run_parser, argparse.SUPPRESS)
    run_parser.set_defaults(handler=run_renewals_command)

    billing_commands = _command_group(commands, "billing", "facturation mensuelle")
    billing_run_parser = billing_commands.add_parser(
        "run", help="facturer un mois (une facture par client, rien en double)"
    )
    billing_run_parser.add_argument(
        "--month", required=True, metavar="AAAA-MM", help="mois à facturer (par exemple 2026-11)"
    )
    billing_run_parser.add_argument(
        "--draft",
        action="store_true",
        help="laisser les factures en brouillon (numérotées plus tard, à l'émission)",
    )
    billing_run_parser.add_argument(
        "--dry-run", action="store_true", help="montrer ce qui serait facturé, sans rien écrire"
    )
    _add_db_option(billing_run_parser, argparse.SUPPRESS)
    billing_run_parser.set_defaults(handler=run_billing_command)

    invoice_commands = _command_group(commands, "invoice", "factures et avoirs")
    invoice_pdf_parser = invoice_commands.add_parser(
        "pdf", help="imprimer une facture ou un avoir en PDF (Factur-X par défaut)"
    )
    invoice_pdf_parser.add_argument(
        "number", metavar="NUMÉRO", help="numéro de la facture ou de l'avoir (F2026-000012)"
    )
    invoice_pdf_parser.add_argument(
        "-o", "--output", required=True, type=Path, metavar="FICHIER", help="PDF à écrire"
    )
    invoice_pdf_parser.add_argument(
        "--plain",
        action="store_true",
        help="PDF simple, sans le XML Factur-X EN 16931 embarqué",
    )
    _add_db_option(invoice_pdf_parser, argparse.SUPPRESS)
    invoice_pdf_parser.set_defaults(handler=run_invoice_pdf)

    sepa_commands = _command_group(commands, "sepa", "prélèvements SEPA")
    sepa_export_parser = sepa_commands.add_parser(
        "export", help="fichier pain.008 des prélèvements dus"
    )
    sepa_export_parser.add_argument(
        "--collection-date",
        required=True,
        type=iso_date,
        metavar="AAAA-MM-JJ",
        help="date d'échéance demandée (au moins 14 jours après aujourd'hui)",
    )
    sepa_export_parser.add_argument(
        "-o", "--output", required=True, type=Path, metavar="FICHIER", help="fichier XML à écrire"
    )
    sepa_export_parser.add_argument(
        "--version", choices=("02", "08"), default="02", help="pain.008.001.02 (défaut) ou .08"
    )
    _add_db_option(sepa_export_parser, argparse.SUPPRESS)
    sepa_export_parser.set_defaults(handler=run_sepa_export)
    sepa_returns_parser = sepa_commands.add_parser(
        "returns", help="enregistrer les rejets d'un relevé camt.054 de la banque"
    )
    sepa_returns_parser.add_argument(
        "file", type=Path, metavar="FICHIER", help="relevé camt.054 (XML) reçu de la banque"
    )
    sepa_returns_parser.add_argument(
        "--dry-run", action="store_true", help="montrer ce qui serait fait, sans rien écrire"
    )
    _add_db_option(sepa_returns_parser, argparse.SUPPRESS)
    sepa_returns_parser.set_defaults(handler=run_sepa_returns)
    sepa_collected_parser = sepa_commands.add_parser(
        "collected", help="enregistrer l'encaissement d'une remise de prélèvements"
    )
    sepa_collected_parser.add_argument(
        "message_id", metavar="REMISE", help="identifiant de la remise (MsgId du fichier pain.008)"
    )
    sepa_collected_parser.add_argument(
        "--on",
        required=True,
        type=iso_date,
        metavar="AAAA-MM-JJ",
        help="date de l'encaissement sur le relevé bancaire",
    )
    _add_db_option(sepa_collected_parser, argparse.SUPPRESS)
    sepa_collected_parser.set_defaults(handler=run_sepa_collected)

    dunning_commands = _command_group(commands, "dunning", "relances des impayés")
    dunning_run_parser = dunning_commands.add_parser(
        "run", help="relance, suspension puis suppression, selon le contrat"
    )
    dunning_run_parser.add_argument(
        "--at",
        type=iso_datetime,
        metavar="AAAA-MM-JJ[THH:MM]",
        help="traiter les échéances atteintes à ce moment (heure de Paris ; défaut : maintenant)",
    )
    dunning_run_parser.add_argument(
        "--dry-run", action="store_true", help="montrer ce qui serait fait, sans rien écrire"
    )
    dunning_run_parser.add_argument(
        "--confirm-deletion",
        action="append",
        default=[],
        metavar="CODE_CLIENT",
        help="confirmer la suppression due pour ce client (répétable)",
    )
    _add_db_option(dunning_run_parser, argparse.SUPPRESS)
    dunning_run_parser.set_defaults(handler=run_dunning_command)

    sla_commands = _command_group(commands, "sla", "qualité de service (disponibilité)")
    sla_report_parser = sla_commands.add_parser(
        "report", help="rapport Excel de disponibilité d'un mois (avoirs dus)"
    )
    sla_report_parser.add_argument(
        "--month",
        required=True,
        type=month_argument,
        metavar="AAAA-MM",
        help="mois du rapport (par exemple 2026-03)",
    )
    sla_report_parser.add_argument(
        "-o",
        "--output",
        required=True,
        type=Path,
        metavar="FICHIER",
        help="classeur .xlsx à écrire",
    )
    _add_db_option(sla_report_parser, argparse.SUPPRESS)
    sla_report_parser.set_defaults(handler=run_sla_report)
    _add_report_commands(_command_group(commands, "report", "rapports Excel (.xlsx)"))

    verify_parser = commands.add_parser(
        "verify", help="vérifier que les factures et avoirs émis n'ont pas été altérés"
    )
    _add_db_option(verify_parser, argparse.SUPPRESS)
    verify_parser.set_defaults(handler=run_verify)
    _add_import_commands(commands)
    _add_export_command(commands)
    _add_backup_commands(commands)
    from desktop.cli_staff import add_staff_commands  # here: cli_staff imports this module

    add_staff_commands(commands)
    from desktop.cli_personal_data import add_personal_data_commands  # imports this module

    add_personal_data_commands(commands)
    from desktop.cli_audit import add_audit_command  # imports this module

    add_audit_command(commands)
    from desktop.cli_upkeep import add_upkeep_command  # imports this module

    add_upkeep_command(commands)
    return parser


def _command_group(
    commands: argparse._SubParsersAction[FrenchArgumentParser], name: str, help_text: str
) -> argparse._SubParsersAction[FrenchArgumentParser]:
    """A command whose actions follow it (``backoffice billing run``)."""
    parser = commands.add_parser(name, help=help_text)
    return parser.add_subparsers(
        dest=f"{name}_command", metavar="ACTION", required=True, parser_class=FrenchArgumentParser
    )


def iso_datetime(text: str) -> datetime:
    """A moment in Paris time: « 2026-04-18 » (midnight) or « 2026-04-18T09:30 »."""
    try:
        value = datetime.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"« {text} » n'est pas une date AAAA-MM-JJ ou un moment AAAA-MM-JJTHH:MM"
        ) from None
    return value if value.tzinfo is not None else value.replace(tzinfo=PARIS)


def history_months(text: str) -> int:
    if not text.strip().isdigit() or not 0 <= int(text) <= 24:
        raise argparse.ArgumentTypeError(f"« {text} » : un nombre de mois de 0 à 24 est attendu")
    return int(text)


def month_argument(text: str) -> date:
    """A month written AAAA-MM, as ``billing run --month`` reads it: its first day."""
    from desktop.services.billing_run import month_of

    try:
        return month_of(text)
    except UserError as exc:
        raise argparse.ArgumentTypeError(exc.message.rstrip(".")) from None


def iso_date(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"« {text} » n'est pas une date AAAA-MM-JJ (par exemple 2026-11-22)"
        ) from None


def _add_db_option(parser: argparse.ArgumentParser, default: object) -> None:
    parser.add_argument(
        "--db",
        metavar="URL",
        default=default,
        help="base de données : chemin d'un fichier SQLite ou postgresql+psycopg://… "
        "(défaut : $BACKOFFICE_DB, sinon le fichier de l'utilisateur)",
    )
    # Where the database is named, who logs in to it (once staff accounts are in use).
    parser.add_argument(
        "--user",
        metavar="IDENTIFIANT",
        default=default,
        help="compte du personnel (défaut : $BACKOFFICE_USER, sinon l'utilisateur du système ; "
        "mot de passe : $BACKOFFICE_PASSWORD, sinon demandé)",
    )


def actor_of(args: argparse.Namespace) -> str:
    """Who runs the command: the staff login it authenticated as, else the system user."""
    return getattr(args, "actor", None) or staff_name()


def on_database(args: argparse.Namespace, work: Callable[[Database], T]) -> tuple[Database, T]:
    """Open the database named by the arguments, bring its schema up to date, do the
    work, close it; the (closed) database, for its description, and the work's result.
    Once staff accounts are in use, the user logs in first (``args.actor``)."""
    from desktop.cli_staff import log_in

    db = open_database(args.db)
    try:
        upgrade(db)
        log_in(args, db)
        return db, work(db)
    finally:
        db.dispose()


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

    db, summary = on_database(
        args,
        lambda db: generate_demo(
            db,
            clients=args.clients,
            seed=args.seed,
            progress=_progress_printer(),
            billing_months=args.billing_months,
        ),
    )
    say(
        f"Données de démonstration chargées — {db.description} : "
        f"{summary.clients} clients, {summary.domains} domaines, {summary.contracts} contrats, "
        f"{summary.mailboxes} boîtes aux lettres, {summary.invoices} factures et avoirs."
    )
    return 0


def run_contract_pdf(args: argparse.Namespace) -> int:
    from desktop.documents.contract_pdf import build_contract
    from desktop.services.contract_print import contract_document

    _, document = on_database(args, lambda db: contract_document(db, args.number))
    pdf = build_contract(document)
    target = write_atomically(args.output, pdf.data)
    pages = f"{pdf.pages} page{'s' if pdf.pages > 1 else ''}"
    say(f"Contrat {document.contract.number} enregistré : {target} ({pages}).")
    return 0


def run_quote_pdf(args: argparse.Namespace) -> int:
    from desktop.documents.quote_pdf import build_quote
    from desktop.services.quotes import quote_print

    _, document = on_database(args, lambda db: quote_print(db, args.number))
    pdf = build_quote(document)
    target = write_atomically(args.output, pdf.data)
    pages = f"{pdf.pages} page{'s' if pdf.pages > 1 else ''}"
    say(f"Devis {document.quote.number} enregistré : {target} ({pages}).")
    return 0


def run_renewals_command(args: argparse.Namespace) -> int:
    from desktop.services.renewals import run_renewals

    at = args.at or paris_today()
    _, report = on_database(
        args, lambda db: run_renewals(db, at=at, actor=actor_of(args), apply=not args.dry_run)
    )
    for outcome in report.outcomes:
        if outcome.contract_ends:
            what = f"contrat terminé, {len(outcome.ended)} boîte(s) résiliée(s)"
        else:
            what = (
                f"{len(outcome.renewed)} boîte(s) renouvelée(s) jusqu'au "
                f"{outcome.period_end:%d/%m/%Y}, {len(outcome.ended)} arrivée(s) à échéance"
            )
        say(
            f"{outcome.contract_number} ({outcome.client_name}) — échéance du "
            f"{outcome.anniversary:%d/%m/%Y} : {what}."
        )
    verb = "seraient" if args.dry_run else "ont été"
    preview = " (aperçu : rien n'est enregistré)" if args.dry_run else ""
    say(
        f"Renouvellements au {at:%d/%m/%Y}{preview} : {len(report.outcomes)} échéance(s) ; "
        f"{report.renewed_accounts} boîte(s) {verb} renouvelées, "
        f"{report.ended_accounts} résiliée(s), {report.ended_contracts} contrat(s) terminé(s)."
    )
    return 0


def run_billing_command(args: argparse.Namespace) -> int:
    from desktop.services.billing_run import month_of, preview_billing, run_billing

    month = month_of(args.month)
    if args.dry_run:
        _, preview = on_database(args, lambda db: preview_billing(db, month))
        say(_preview_text(preview))
        return 0
    _, report = on_database(
        args,
        lambda db: run_billing(
            db,
            month,
            actor=actor_of(args),
            issue=not args.draft,
            progress=_count_printer("Facturation"),
        ),
    )
    say(_billing_text(report))
    return 0


def _preview_text(preview: BillingPreview) -> str:
    from desktop.documents.french import french_money, month_name

    excl, incl = french_money(preview.total_excl_vat), french_money(preview.total_incl_vat)
    return (
        f"Aperçu de {month_name(preview.month)} (rien n'est enregistré) : "
        f"{len(preview.rows)} client(s) à facturer, {excl} HT, {incl} TTC ; "
        f"{preview.already_billed} client(s) déjà facturé(s)."
    )


def _billing_text(report: BillingReport) -> str:
    from desktop.documents.french import french_money, month_name

    if report.invoices_created == 0:
        made = "aucune nouvelle facture"
    elif report.numbers:
        made = (
            f"{report.invoices_created} facture(s) émise(s) "
            f"({report.numbers[0]} à {report.numbers[-1]})"
        )
    else:
        made = f"{report.invoices_created} facture(s) créée(s) en brouillon"
    return (
        f"Facturation de {month_name(report.month)} : {made}, "
        f"{french_money(report.total_excl_vat)} HT, {french_money(report.total_incl_vat)} TTC ; "
        f"{report.already_billed} client(s) déjà facturé(s)."
    )


def run_invoice_pdf(args: argparse.Namespace) -> int:
    from desktop.documents.facturx import build_facturx
    from desktop.documents.invoice_pdf import build_invoice
    from desktop.services.invoice_print import invoice_document

    _, document = on_database(args, lambda db: invoice_document(db, args.number))
    pdf = build_invoice(document) if args.plain else build_facturx(document)
    target = write_atomically(args.output, pdf.data)
    kind = "PDF" if args.plain else "Factur-X EN 16931"
    pages = f"{pdf.pages} page{'s' if pdf.pages > 1 else ''}"
    say(f"PDF de {document.number} enregistré : {target} ({kind}, {pages}).")
    return 0


def run_sepa_export(args: argparse.Namespace) -> int:
    from desktop.services.sepa_export import export_pain008, sepa_export_command_text

    target: Path = args.output
    _, result = on_database(
        args,
        lambda db: export_pain008(
            db,
            collection_date=args.collection_date,
            actor=actor_of(args),
            version=args.version,
            deliver=lambda xml: write_atomically(target, xml),
        ),
    )
    for line in sepa_export_command_text(result, str(target.expanduser().absolute())):
        say(line)
    return 0


def run_sepa_returns(args: argparse.Namespace) -> int:
    from desktop.services.sepa_batches import import_returns, returns_lines

    data = read_input_file(args.file)
    _, report = on_database(
        args,
        lambda db: import_returns(db, data, actor=actor_of(args), apply=not args.dry_run),
    )
    for line in returns_lines(report, applied=not args.dry_run):
        say(line)
    return 0


def run_sepa_collected(args: argparse.Namespace) -> int:
    from desktop.documents.french import french_money
    from desktop.services.sepa_batches import mark_batch_collected

    _, (count, total) = on_database(
        args,
        lambda db: mark_batch_collected(
            db, args.message_id, collected_on=args.on, actor=actor_of(args)
        ),
    )
    say(
        f"Remise {args.message_id} encaissée le {args.on:%d/%m/%Y} : "
        f"{count} prélèvement(s), {french_money(total)} enregistrés comme paiements."
    )
    return 0


def read_input_file(path: Path) -> bytes:
    """The bytes of a file the user named, or a French error saying why not."""
    target = path.expanduser()
    try:
        return target.read_bytes()
    except FileNotFoundError:
        raise UserError(f"Fichier introuvable : {target}") from None
    except IsADirectoryError:
        raise UserError(f"{target} est un dossier : indiquez un fichier.") from None
    except OSError as exc:
        raise UserError(f"Impossible de lire {target} : {exc.strerror or exc}.") from None


def run_dunning_command(args: argparse.Namespace) -> int:
    from desktop.documents.french import french_datetime
    from desktop.services.dunning import plan_dunning, run_dunning

    at = args.at or datetime.now(PARIS)
    say(f"Relances au {french_datetime(at)} (heure de Paris)")
    if args.dry_run:
        _, plan = on_database(args, lambda db: plan_dunning(db, at))
        say("Aperçu — rien n'est enregistré")
        for step in plan.due:
            say(step.summary)
        if plan.upcoming:
            say("Prochaines échéances :")
            for step in plan.upcoming:
                say(f"  {french_datetime(step.due_at)} — {step.summary}")
        return 0

    def run(db: Database) -> DunningReport:
        plan = plan_dunning(db, at)
        confirmed = _confirmed_deletions(plan, args.confirm_deletion)
        return run_dunning(db, at, actor=actor_of(args), confirmed_deletions=confirmed)

    _, report = on_database(args, run)
    for line in _dunning_lines(report):
        say(line)
    return 0


def _confirmed_deletions(plan: DunningPlan, codes: Sequence[str]) -> set[int]:
    due = {step.client_code.upper(): step.client_id for step in plan.due}
    unknown = [code for code in codes if code.upper() not in due]
    if unknown:
        raise UserError(
            f"Aucune suppression n'est due pour : {', '.join(unknown)} "
            "(voir backoffice dunning run --dry-run)."
        )
    return {due[code.upper()] for code in codes}


def _dunning_lines(report: DunningReport) -> list[str]:
    steps = (*report.done, *report.awaiting_confirmation, *report.blocked)
    lines = [step.summary for step in steps]
    lines += [f"Échec : {failure.client_code} — {failure.message}" for failure in report.failed]
    lines.append(
        f"{len(report.done)} étape(s) effectuée(s), "
        f"{len(report.awaiting_confirmation)} suppression(s) à confirmer, "
        f"{len(report.blocked)} bloquée(s), {len(report.failed)} échec(s)."
    )
    return lines


_IMPORT_KINDS = ("clients", "domains", "mailboxes")


def _add_import_commands(commands: argparse._SubParsersAction[FrenchArgumentParser]) -> None:
    """``import KIND FILE [--dry-run]`` and ``import-template KIND -o FILE.xlsx``."""
    import_parser = commands.add_parser(
        "import", help="importer des clients, domaines ou boîtes d'un tableur (.xlsx, .csv)"
    )
    import_parser.add_argument(
        "kind", choices=_IMPORT_KINDS, metavar="TYPE", help="clients, domains ou mailboxes"
    )
    import_parser.add_argument(
        "file", type=Path, metavar="FICHIER", help="classeur .xlsx ou fichier .csv"
    )
    import_parser.add_argument(
        "--dry-run", action="store_true", help="vérifier le fichier, sans rien importer"
    )
    _add_db_option(import_parser, argparse.SUPPRESS)
    import_parser.set_defaults(handler=run_import)
    template_parser = commands.add_parser(
        "import-template", help="modèle .xlsx d'un import (en-têtes, formats, exemple)"
    )
    template_parser.add_argument(
        "kind", choices=_IMPORT_KINDS, metavar="TYPE", help="clients, domains ou mailboxes"
    )
    template_parser.add_argument(
        "-o", "--output", required=True, type=Path, metavar="FICHIER", help="classeur à écrire"
    )
    template_parser.set_defaults(handler=run_import_template)


def run_import(args: argparse.Namespace) -> int:
    from desktop.services.importing import ImportKind, import_file, summary_text

    kind = ImportKind(args.kind)
    _, report = on_database(
        args,
        lambda db: import_file(db, kind, args.file, dry_run=args.dry_run, actor=actor_of(args)),
    )
    if report.ignored_columns:
        ignored = ", ".join(f"« {name} »" for name in report.ignored_columns)
        say(f"Colonnes ignorées : {ignored}.")
    for problem in report.problems:
        say(problem.text())
    say(summary_text(report))
    return 1 if report.problems else 0


def run_import_template(args: argparse.Namespace) -> int:
    from desktop.services.importing import ImportKind, template_bytes

    target = write_atomically(args.output, template_bytes(ImportKind(args.kind)))
    say(f"Modèle écrit : {target}")
    return 0


EXPORT_TABLES = ("clients", "domains", "mailboxes", "contracts", "invoices", "incidents")
"""The tables ``backoffice export`` writes (``desktop.services.export.EXPORTS``)."""


def _add_export_command(commands: argparse._SubParsersAction[FrenchArgumentParser]) -> None:
    """``backoffice export TABLE -o FICHIER.xlsx [--search …] [--filter NOM=VALEUR …]``."""
    parser = commands.add_parser(
        "export", help="exporter une liste vers Excel (.xlsx), comme l'onglet la montre"
    )
    parser.add_argument(
        "table", choices=EXPORT_TABLES, metavar="TABLE", help=", ".join(EXPORT_TABLES)
    )
    parser.add_argument(
        "-o", "--output", required=True, type=Path, metavar="FICHIER", help="classeur .xlsx"
    )
    parser.add_argument("--search", default="", metavar="TEXTE", help="texte recherché")
    parser.add_argument(
        "--filter",
        action="append",
        default=[],
        metavar="NOM=VALEUR",
        help="filtre de la liste, par exemple status=active (répétable)",
    )
    parser.add_argument("--sort", metavar="COLONNE", help="clé de tri (défaut : celle de l'onglet)")
    parser.add_argument("--desc", action="store_true", help="tri décroissant")
    _add_db_option(parser, argparse.SUPPRESS)
    parser.set_defaults(handler=run_export)


def run_export(args: argparse.Namespace) -> int:
    from desktop.services.export import export_spec, export_table, parse_filters
    from desktop.services.listing import ListQuery

    spec = export_spec(args.table)
    query = ListQuery(
        search=args.search,
        filters=parse_filters(args.table, args.filter),
        sort=args.sort or spec.default_sort,
        descending=args.desc if args.sort else args.desc or spec.descending,
    )
    target = Path(args.output).expanduser().absolute()
    progress = _count_printer("Export")
    _, count = on_database(
        args, lambda db: export_table(db, args.table, target, query=query, progress=progress)
    )
    say(f"{count} ligne(s) exportée(s) dans {target}.")
    return 0


def run_verify(args: argparse.Namespace) -> int:
    from desktop.services.invoice_chain import verify_chain

    db, report = on_database(
        args, lambda db: verify_chain(db, progress=_count_printer("Vérification"))
    )
    if report.intact:
        say(
            f"Chaîne intacte : {report.checked} facture(s) et avoir(s) émis vérifiés "
            f"— {db.description}."
        )
        return 0
    complain(
        f"chaîne rompue au document {report.broken_number} : {report.problem}. "
        f"{report.checked} document(s) vérifiés intacts avant lui."
    )
    return 1


def _add_backup_commands(commands: argparse._SubParsersAction[FrenchArgumentParser]) -> None:
    """``backoffice backup -o FICHIER`` and ``backoffice restore FICHIER --yes``."""
    backup_parser = commands.add_parser(
        "backup", help="sauvegarder toute la base (SQLite : copie ; PostgreSQL : pg_dump)"
    )
    backup_parser.add_argument(
        "-o", "--output", required=True, type=Path, metavar="FICHIER", help="sauvegarde à écrire"
    )
    _add_db_option(backup_parser, argparse.SUPPRESS)
    backup_parser.set_defaults(handler=run_backup)
    restore_parser = commands.add_parser(
        "restore", help="remplacer la base SQLite par une sauvegarde vérifiée"
    )
    restore_parser.add_argument("source", type=Path, metavar="FICHIER", help="sauvegarde")
    restore_parser.add_argument(
        "--yes", action="store_true", help="confirmer le remplacement de la base actuelle"
    )
    _add_db_option(restore_parser, argparse.SUPPRESS)
    restore_parser.set_defaults(handler=run_restore)


def run_backup(args: argparse.Namespace) -> int:
    from desktop.db.backups import backup

    db = open_database(args.db)
    try:
        result = backup(db, args.output)
    finally:
        db.dispose()
    say(f"Sauvegarde enregistrée : {result.path} ({human_size(result.size)}).")
    return 0


def run_restore(args: argparse.Namespace) -> int:
    from desktop.db.backups import restore
    from desktop.db.engine import Database, resolve_url

    if not args.yes:
        raise UserError(
            "la restauration remplace toute la base actuelle (mise de côté d'abord) : "
            "ajoutez --yes pour confirmer."
        )
    # Not open_database: a damaged current file must still be replaceable.
    db = Database(resolve_url(args.db))
    try:
        result = restore(db, args.source)
    finally:
        db.dispose()
    if result.kept_aside is not None:
        say(f"Base remplacée mise de côté : {result.kept_aside}")
    migrated = f" (mise à jour depuis {result.from_revision})" if result.upgraded else ""
    say(f"Sauvegarde restaurée : schéma {result.revision}{migrated} — {db.description}.")
    return 0


def human_size(size: int) -> str:
    """« 512 octets », « 1,5 Ko », « 12,3 Mo » (French decimal comma)."""
    value = float(size)
    for unit in ("octets", "Ko", "Mo", "Go"):
        if value < 1024 or unit == "Go":
            text = f"{int(value)}" if unit == "octets" else f"{value:.1f}".replace(".", ",")
            return f"{text} {unit}"
        value /= 1024
    raise AssertionError("unreachable")


def run_sla_report(args: argparse.Namespace) -> int:
    from desktop.documents.sla_report_xlsx import sla_report_workbook
    from desktop.domain.clock import utc_now
    from desktop.domain.periods import month_name
    from desktop.services.sla import sla_report, sla_settings

    def work(db: Database) -> tuple[int, int, bytes]:
        rows = sla_report(db, args.month)
        target = sla_settings(db).availability_target
        below = sum(1 for row in rows if row.availability < target)
        data = sla_report_workbook(rows, args.month, generated_at=utc_now())
        return len(rows), below, data

    _, (count, below, data) = on_database(args, work)
    path = write_atomically(args.output, data)
    say(
        f"Rapport de disponibilité de {month_name(args.month)} enregistré : {path} "
        f"({count} ligne(s), {below} sous l'objectif)."
    )
    return 0


def _add_report_commands(reports: argparse._SubParsersAction[FrenchArgumentParser]) -> None:
    """``backoffice report …``: receivables, sales journal, recurring revenue, inventory."""
    receivables = reports.add_parser("receivables", help="balance âgée des créances par client")
    receivables.add_argument(
        "--at", type=iso_date, metavar="AAAA-MM-JJ", help="date du rapport (défaut : aujourd'hui)"
    )
    receivables.set_defaults(handler=run_report_receivables)
    journal = reports.add_parser("sales-journal", help="journal des ventes d'un mois")
    revenue = reports.add_parser(
        "recurring-revenue", help="revenu récurrent mensuel par gamme et formule"
    )
    for parser, handler in ((journal, run_report_journal), (revenue, run_report_revenue)):
        parser.add_argument(
            "--month", required=True, type=month_argument, metavar="AAAA-MM", help="mois du rapport"
        )
        parser.set_defaults(handler=handler)
    inventory = reports.add_parser("inventory", help="inventaire des boîtes d'un client")
    inventory.add_argument("client", metavar="CODE_CLIENT", help="code du client (CLI-0001)")
    inventory.add_argument(
        "--at", type=iso_date, metavar="AAAA-MM-JJ", help="boîtes en service à cette date"
    )
    inventory.set_defaults(handler=run_report_inventory)
    for parser in (receivables, journal, revenue, inventory):
        parser.add_argument(
            "-o", "--output", required=True, type=Path, metavar="FICHIER", help="classeur .xlsx"
        )
        _add_db_option(parser, argparse.SUPPRESS)


def _save_report(args: argparse.Namespace, make: Callable[[Database], tuple[bytes, int]]) -> int:
    """Make a report's workbook from the database, write it, say where and how long."""
    _, (data, count) = on_database(args, make)
    path = write_atomically(args.output, data)
    say(f"Rapport enregistré : {path} ({count} lignes).")
    return 0


def run_report_receivables(args: argparse.Namespace) -> int:
    from desktop.documents.report_workbooks import receivables_table, report_bytes
    from desktop.services.reports import receivables_by_age

    def make(db: Database) -> tuple[bytes, int]:
        table = receivables_table(receivables_by_age(db, args.at or paris_today()))
        return report_bytes(table), table.count

    return _save_report(args, make)


def run_report_journal(args: argparse.Namespace) -> int:
    from desktop.documents.report_workbooks import report_bytes, sales_journal_table
    from desktop.services.reports import sales_journal

    def make(db: Database) -> tuple[bytes, int]:
        table = sales_journal_table(sales_journal(db, args.month), args.month)
        return report_bytes(table), table.count

    return _save_report(args, make)


def run_report_revenue(args: argparse.Namespace) -> int:
    from desktop.documents.report_workbooks import recurring_revenue_table, report_bytes
    from desktop.services.reports import recurring_revenue

    def make(db: Database) -> tuple[bytes, int]:
        table = recurring_revenue_table(recurring_revenue(db, args.month), args.month)
        return report_bytes(table), table.count

    return _save_report(args, make)


def run_report_inventory(args: argparse.Namespace) -> int:
    from desktop.documents.report_workbooks import inventory_table, report_bytes
    from desktop.services.reports import client_id_by_code, mailbox_inventory

    def make(db: Database) -> tuple[bytes, int]:
        inventory = mailbox_inventory(db, client_id_by_code(db, args.client), args.at)
        table = inventory_table(inventory)
        return report_bytes(table), table.count

    return _save_report(args, make)


def write_atomically(path: Path, data: bytes) -> Path:
    """Write ``data`` to ``path`` through a temporary file in the same folder, so that
    the file is either complete or untouched; returns the absolute path written."""
    target = path.expanduser().absolute()
    if not target.parent.is_dir():
        raise UserError(f"Dossier introuvable : {target.parent}")
    if target.is_dir():
        raise UserError(f"{target} est un dossier : indiquez le nom du fichier à écrire.")
    try:
        handle, temporary = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.")
    except OSError as exc:
        raise _write_error(target, exc) from None
    try:
        with os.fdopen(handle, "wb") as file:
            file.write(data)
            file.flush()
            os.fsync(file.fileno())
        # mkstemp makes the file private (0600): give it an ordinary file's mode.
        os.chmod(temporary, target.stat().st_mode & 0o777 if target.exists() else 0o644)
        os.replace(temporary, target)
    except OSError as exc:
        Path(temporary).unlink(missing_ok=True)
        raise _write_error(target, exc) from None
    return target


def _write_error(target: Path, exc: OSError) -> UserError:
    return UserError(f"Impossible d'écrire {target} : {exc.strerror or exc}.")


def _count_printer(stage: str) -> Callable[[int, int], None] | None:
    report = _progress_printer()
    if report is None:
        return None
    return lambda done, total: report(stage, done, total)


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
    multiprocessing.freeze_support()  # invoice rendering workers in the frozen Windows build
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
    multiprocessing.freeze_support()
    from desktop.app import run

    return run(None, argv=sys.argv[1:])
