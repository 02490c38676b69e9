"""Erasing a finished renovation's personal data (AVG art. 5 lid 1 e and art. 17): what goes, what stays.

Goes, from the store: the household register, the per-home figures of every proposal, every letter to a
household, every print file, the copies that list panel members, every mail copy to a household, and the audit
trail made until then (its entries name homes and how they answered). Goes,
from the state: every unit id (sign-ups, members, answers, works per home, mail ids, the timeline lines
that name a unit). Stays: the totals (homes, sign-ups, members, the count, the works in numbers), the
letters to the organisation that name no household (minutes, the result of the vote, the evaluatieverslag,
the organisation's copy of the dissolution letter) and the timeline without unit ids.
"""

import re
from datetime import date

from pydantic import BaseModel

from inspraak.domain.households import register_key
from inspraak.domain.render_requests import StoredJson
from inspraak.domain.renovation import Proposal, RenovationState
from inspraak.domain.works import Erasure, household_mail_ids, names_households


class ErasurePlan(BaseModel):
    """What the erasure activity deletes: store keys, store prefixes (every object under them) and the
    message ids of household mails (their copies in the outbox and their ledger entries)."""

    trajectory_id: str
    keys: list[str]
    prefixes: list[str]
    mail_ids: list[str]
    # The manifests of the mail merges: every household letter they list goes, with its mail copy, then the
    # manifest itself (the state keeps a count per merge, not a reference per household).
    manifests: list[StoredJson] = []


def erasure_plan(s: RenovationState) -> ErasurePlan:
    versions = s.vote.roll.proposal_version if s.vote else (s.proposal.version if s.proposal else 0)
    return ErasurePlan(
        trajectory_id=s.id, keys=[register_key(s.id), *(d.key for d in s.documents if names_households(d))],
        # The audit trail goes too: its entries name homes (the input of an answer: unit and choice) and its
        # staff-only lines quote the timeline's; the timeline without unit ids and the totals stay as the record.
        prefixes=[f"trajectories/{s.id}/register/", f"trajectories/{s.id}/proposals/", f"trajectories/{s.id}/audit/"],
        mail_ids=[*household_mail_ids(s.id, s.documents, list(s.register_ref.unit_ids), versions),
                  # the mail with a home's own last day of its 8 weeks (renovation_objection), by place on the list
                  *(f"{s.id}.kennisgeving-termijn-{n:04d}"
                    for n in range(1, (len(s.notices.homes) if s.notices else 0) + 1))],
        manifests=[m.manifest for m in s.merges])


def erased(s: RenovationState, today: date) -> RenovationState:
    """``s`` with every unit id gone and only totals left."""
    units = list(s.register_ref.unit_ids)
    pattern = re.compile("|".join(rf"(?<![\w-]){re.escape(u)}(?![\w-])" for u in units)) if units else None
    gone = {d.id for d in s.documents if names_households(d)}
    erasure = Erasure(erased_on=today, homes=len(units), sign_ups=len(s.sign_ups),
                      panel_members=len(s.panel.members) if s.panel else 0,
                      documents_deleted=len(gone) + sum(m.letters for m in s.merges),
                      tally=s.result.tally if s.result else (s.vote.tally() if s.vote else None),
                      works=s.execution.totals() if s.execution else None)
    timeline = [e for e in s.timeline if e.document_id not in gone and not (pattern and pattern.search(e.text))]
    return s.model_copy(deep=True, update={
        "register_ref": s.register_ref.model_copy(update={"unit_ids": []}),
        "with_email": [], "sign_ups": [], "vote": None, "execution": None, "erasure": erasure, "timeline": timeline,
        "documents": [d for d in s.documents if d.id not in gone],
        "invitation": s.invitation.model_copy(update={"mailed": {}, "print_file": None}) if s.invitation else None,
        "panel": s.panel.model_copy(update={"members": []}) if s.panel else None,
        "proposal": _without_homes(s.proposal) if s.proposal else None,
        # The merges' manifests are deleted; earlier versions, the kennisgeving and court cases name homes.
        "merges": [], "earlier_proposals": [_without_homes(p) for p in s.earlier_proposals], "earlier_votes": [],
        "notices": None, "court_cases": [],
    })


def _without_homes(p: Proposal) -> Proposal:
    return p.model_copy(update={"mailed": {}, "print_file": None, "figures": None})
