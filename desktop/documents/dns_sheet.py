"""The DNS instruction sheet: what to set at the registrar, per product line (§2)."""

from __future__ import annotations

from reportlab.lib.units import mm
from reportlab.platypus import Flowable, KeepTogether, Spacer

from desktop.documents.layout import PageFrame, build_pdf
from desktop.documents.styles import MUTED_HEX, para, rich, styles, with_bold, xml
from desktop.documents.tables import TableColumn, data_table, key_value_table
from desktop.services.dns_sheet import DnsLine, DnsSheet

TITLE = "Configuration DNS du domaine"
COLUMNS = (
    TableColumn("Type", 13),
    TableColumn("Nom (hôte)", 52),
    TableColumn("Valeur", 88),
    TableColumn("Priorité", 17, right=True),
)
STEPS = (
    "Connectez-vous à l'interface du **bureau d'enregistrement** (registraire) où le "
    "domaine est géré, rubrique « Zone DNS » ou « Enregistrements DNS ».",
    "Pour chaque ligne du tableau, créez l'enregistrement du type indiqué. Selon "
    "l'interface, le nom s'écrit en entier (« {a_label} »), sans le domaine "
    "(« autodiscover ») ou « @ » pour le domaine lui-même.",
    "**Gardez vos enregistrements MX actuels jusqu'à la bascule** convenue avec nous : "
    "tant qu'ils sont en place, vos e-mails continuent d'arriver sur l'ancien service. "
    "Le jour de la bascule, remplacez-les par celui du tableau.",
    "Un seul enregistrement SPF par domaine : s'il en existe déjà un (« v=spf1 … »), "
    "ajoutez-y l'« include » indiqué au lieu d'en créer un second.",
    "Les changements se propagent en quelques minutes à 48 heures selon les "
    "fournisseurs d'accès : pendant ce délai, anciens et nouveaux serveurs peuvent "
    "recevoir des messages.",
)


def render_dns_sheet(sheet: DnsSheet) -> bytes:
    s = styles()
    reference = f"Configuration DNS — {sheet.domain} — {sheet.client_name}"
    frame = PageFrame(title=TITLE, subject=reference, reference=reference, provider=sheet.provider)
    story: list[Flowable] = [
        para(TITLE, s.title),
        para(f"{sheet.domain} · {sheet.client_name} ({sheet.client_code})", s.subtitle),
        Spacer(1, 4 * mm),
        key_value_table(_facts(sheet)),
    ]
    if not sheet.contracted:
        story.append(Spacer(1, 2 * mm))
        story.append(
            para(
                "Aucun contrat n'est encore souscrit : les enregistrements des deux offres sont "
                "indiqués. N'appliquez que ceux de l'offre choisie.",
                s.text,
            )
        )
    for line in sheet.lines:
        story.append(_line_section(line))
    story.append(para("Comment faire", s.heading))
    story += [
        rich(with_bold(step.replace("{a_label}", sheet.a_label)), s.bullet, bullet=f"{n}.")
        for n, step in enumerate(STEPS, start=1)
    ]
    return build_pdf(frame, story).data


def _facts(sheet: DnsSheet) -> list[tuple[str, str]]:
    rows = [("Domaine", sheet.domain), ("Client", f"{sheet.client_name} ({sheet.client_code})")]
    if sheet.a_label != sheet.domain:
        rows.insert(1, ("Nom technique (IDNA)", sheet.a_label))
    return rows


def _line_section(line: DnsLine) -> Flowable:
    s = styles()
    rows = [
        [
            record.kind,
            record.host,
            rich(f"{xml(record.value)}<br/>{_small(record.purpose)}", s.cell),
            "" if record.priority is None else str(record.priority),
        ]
        for record in line.records
    ]
    return KeepTogether(
        [para(f"Offre {line.name}", s.heading), data_table(COLUMNS, rows), Spacer(1, 1 * mm)]
    )


def _small(text: str) -> str:
    return f"<font size='7' color='{MUTED_HEX}'>{xml(text)}</font>"
