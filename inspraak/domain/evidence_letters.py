"""The Dutch of the evidence export (``inspraak.domain.evidence``): the index a lawyer and the kantonrechter read,
the column names of its CSV files and the count as text."""

from datetime import datetime
from html import escape
from typing import TYPE_CHECKING

from inspraak.domain.dutch import aantal, datum
from inspraak.domain.objections import CourtParty, Notices, ReceiptMethod, Ruling
from inspraak.domain.renovation import STATE_LABELS, Proposal
from inspraak.domain.renovation_letters import DENOMINATOR
from inspraak.domain.vote import Channel, Choice, Tally, VoteRoll

if TYPE_CHECKING:
    from inspraak.domain.evidence import EvidenceRecord

MISSING = "ontbreekt in de opslag"
PENDING = "nog geen uitspraak"

LIST_HEADER = ["eenheid", "adres", "huurder", "medehuurder", "contractnummer", "peildatum"]
PROPOSALS_HEADER = ["eenheid", "documentnummer", "bestand", "gemaakt op", "sha256 bij opslag",
                    "sha256 van het bestand", "gelijk"]
ANSWERS_HEADER = ["volgnummer", "eenheid", "antwoord", "kanaal", "datum antwoord", "vastgelegd door", "telt mee"]
NOTICES_HEADER = ["eenheid", "adres", "huurder", "verzonden op", "sha256 kennisgeving", "ontvangen op", "bewijs",
                  "ontvangst vastgelegd door", "laatste dag termijn",
                  "sha256 brief laatste dag"]
COURT_HEADER = ["eenheid", "adres", "huurder", "naar de rechter", "ingediend op", "zaaknummer", "vastgelegd door",
                "uitspraak", "datum uitspraak", "zaaknummer uitspraak", "uitspraak vastgelegd door"]
TIMELINE_HEADER = ["tijdstip (UTC)", "gebeurtenis", "door (rol)", "door (naam)", "omschrijving"]

CHOICES = {Choice.AGREED: "ingestemd", Choice.NOT_AGREED: "niet ingestemd"}
CHANNELS = {Channel.PAPER: "antwoordstrook op papier", Channel.HOME_VISIT: "huisbezoek",
            Channel.REPLY_CODE: "persoonlijke antwoordcode (online, door het huishouden zelf)",
            Channel.STAFF: "door een medewerker (telefoon of balie)"}
RECEIPTS: dict[ReceiptMethod | None, str] = {ReceiptMethod.REGISTERED_MAIL: "aangetekende post (bewijs van ontvangst)",
            ReceiptMethod.SIGNATURE: "handtekening voor ontvangst"}
PARTIES = {CourtParty.TENANT: "huurder (artikel 7:220 lid 3 BW)",
           CourtParty.LANDLORD: "verhuurder (artikel 7:220 lid 2 BW)"}
RULINGS: dict[Ruling | None, str] = {Ruling.REASONABLE: "voorstel redelijk",
                                     Ruling.UNREASONABLE: "voorstel niet redelijk"}

WHAT_TIMELINE = ("Het logboek van het traject: elke stap, wie hem zette en wanneer (ook wat alleen medewerkers "
                 "zien).")
WHAT_NOTICE_FILES = ("De kennisgevingen zelf, één Word-bestand per woning; <eenheid>-laatste-dag.docx is de brief die "
                     "de woning kreeg toen de ontvangst was vastgelegd, met de laatste dag van haar termijn.")


def ja(flag: bool) -> str:
    return "ja" if flag else "nee"


def what_list(version: int, roll: VoteRoll) -> str:
    return (f"Versie {version}: de lijst van {len(roll.homes)} woningen, bevroren op de peildatum "
            f"{datum(roll.reference_date)} (de dag waarop de voorstellen zijn verzonden), met de huurders uit het "
            "huurdersbestand. Dit is de noemer van de telling.")


def what_proposals(version: int, count: int) -> str:
    return (f"Versie {version}: de {count} verzonden renovatievoorstellen, per woning met de sha256 die bij het "
            "opslaan is vastgelegd en de sha256 van het bestand in dit dossier (kolom 'gelijk': ja als ze "
            "overeenkomen).")


def what_proposal_files(version: int) -> str:
    return f"Versie {version}: de renovatievoorstellen zelf, één Word-bestand per woning (naam: de eenheid)."


def what_answers(version: int, count: int) -> str:
    return (f"Versie {version}: alle {count} antwoorden in de volgorde waarin ze zijn vastgelegd, met kanaal, "
            "datum en wie het vastlegde. Ook antwoorden die later zijn vervangen staan erin; 'telt mee' zegt welk "
            "antwoord per woning geldt (het laatste naar datum van het antwoord).")


def what_tally(version: int) -> str:
    return f"Versie {version}: de telling: hoe geteld is en de uitkomst."


def what_result(version: int, sha256: str) -> str:
    return f"Versie {version}: de uitslagbrief zoals verzonden (sha256 bij opslag {sha256})."


def what_notices(notices: Notices) -> str:
    return (f"De kennisgevingen van 70 procent (versie {notices.proposal_version}), verzonden op "
            f"{datum(notices.sent_on)} aan {len(notices.homes)} woningen die niet instemden, per woning de "
            "ontvangstdatum, het bewijs daarvan en de laatste dag van de eigen termijn van acht weken (artikel 7:220 "
            "lid 3 BW, verlengd volgens de Algemene termijnenwet).")


def what_court(count: int) -> str:
    return (f"De {aantal(count, 'woning', 'woningen')} waarover een zaak bij de kantonrechter loopt of liep, met de "
            "uitspraak.")


def tally_text(proposal: Proposal, tally: Tally) -> str:
    closed = datum(tally.closed_on) if tally.closed_on else "nog niet gesloten"
    lines = [
        f"Telling renovatievoorstel versie {proposal.version}",
        f"Voorstellen verzonden op: {datum(proposal.sent_on)}",
        f"Antwoorden tot en met: {datum(proposal.reply_by)}",
        f"Telling gesloten op: {closed}",
        "",
        "Wie telden mee: " + DENOMINATOR.format(total=tally.total, reference=datum(tally.reference_date)),
        "",
        f"Woningen op de lijst: {tally.total}",
        f"Ingestemd: {tally.agreed}",
        f"Niet ingestemd: {tally.not_agreed}",
        f"Geen antwoord (telt als niet ingestemd): {tally.no_answer}",
        f"Ingestemd van alle woningen: {tally.percent_agreed:.2f} procent".replace(".", ","),
        f"Ten minste 10 woningen (artikel 7:220 lid 3 BW): {ja(tally.enough_homes)}",
        f"Ten minste 70 procent en ten minste 10 woningen: {ja(tally.reached)}",
    ]
    return "\n".join(lines) + "\n"


def index_html(record: "EvidenceRecord", files: list[tuple[str, str]], made_at: datetime, made_by: str) -> str:
    rows = "\n".join(f"<tr><td><code>{escape(name)}</code></td><td>{escape(what)}</td></tr>" for name, what in files)
    versions = "\n".join(
        f"<li>Versie {v.proposal.version}: verzonden op {datum(v.proposal.sent_on)} aan {len(v.vote.roll.homes)} "
        f"woningen; {v.vote.tally().agreed} ingestemd"
        + (f", telling gesloten op {datum(v.vote.closed_on)}" if v.vote.closed_on else "") + "</li>"
        for v in record.versions)
    return f"""<!DOCTYPE html>
<html lang="nl"><head><meta charset="utf-8"><title>Bewijsdossier {escape(record.id.upper())}</title>
<style>body{{font-family:sans-serif;max-width:60em;margin:2em}}td{{vertical-align:top;padding:.3em .6em}}
tr:nth-child(even){{background:#f3f3f3}}</style></head><body>
<h1>Bewijsdossier draagvlakmeting renovatie</h1>
<p><strong>{escape(record.subject)}</strong> ({escape(record.complex.name)}, {escape(record.complex.address)}),
kenmerk {escape(record.id.upper())}. Stand van het traject: {escape(STATE_LABELS[record.state])}.</p>
<p>Samengesteld op {escape(datum(made_at))} om {made_at:%H.%M} uur (UTC) door {escape(made_by)}, uit de gegevens
van het traject en de opgeslagen documenten. Dit dossier bevat persoonsgegevens van huurders: bewaar en deel het
alleen voor de procedure.</p>
<h2>De versies van het voorstel</h2>
<ul>
{versions}
</ul>
<h2>Hoe is geteld?</h2>
<p>De noemer is de lijst van woningen op de peildatum, de dag waarop de voorstellen zijn verzonden. Eén antwoord
per woning: huurder en medehuurder antwoorden samen. Een woning die niet antwoordde, telt als niet ingestemd.
Geeft een woning later een ander antwoord, dan telt het laatste (naar de datum van het antwoord); alle antwoorden
blijven bewaard. Het vermoeden van redelijkheid van artikel 7:220 lid 3 BW ontstaat bij ten minste 70 procent van
alle woningen op de lijst, en ten minste 10 woningen.</p>
<h2>Wat zit in dit dossier?</h2>
<p>CSV-bestanden zijn gescheiden door puntkomma's (te openen in Excel). <code>SHA256SUMS</code> bevat de sha256 van
elk bestand in dit dossier, zodat te controleren is dat er niets is veranderd.</p>
<table>
<tr><th>Bestand</th><th>Wat het is</th></tr>
{rows}
</table>
</body></html>
"""
