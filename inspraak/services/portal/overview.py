"""Staff overview (``/portaal/overzicht``): what is overdue, due this week and due this month, across all
trajectories, filtered by organisation and kind; the renovations in their vote with the count (docs/portal-staff.md).

Every list is the API's ``list_trajectories`` with its filters in the visibility query (organisation, type, overdue,
and the last day of the next term: ``due_by`` / ``due_after``), paged on with its cursor; only the trajectories with
something due within the month (or overdue, or in a vote) are read in full, through the same ``visible_view``
as every page.
"""

import asyncio
from collections.abc import Awaitable, Iterable
from dataclasses import dataclass, field, replace
from datetime import date, timedelta
from typing import TypeVar

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response

from inspraak.domain.advice import AdviceRequestView
from inspraak.domain.renovation import Proposal
from inspraak.domain.renovation import State as Renovation
from inspraak.domain.renovation_view import RenovationView
from inspraak.domain.vote import Tally
from inspraak.services.api.auth import Principal
from inspraak.services.api.routes.trajectories import TrajectorySummary, list_trajectories
from inspraak.services.portal import web, wording
from inspraak.services.portal.pages import card_of, visible_view
from inspraak.workflows import names

router = APIRouter(include_in_schema=False)

PAGE_SIZE = 200  # trajectories per listing page; the cursor pages on
MAX_PAGES = 10  # per list: beyond 2,000 trajectories the page says so and asks for a filter
WEEK_DAYS = 7  # "Deze week": today and the six days after (a rolling week, not Monday to Sunday)
MONTH_DAYS = 31  # "Deze maand": after that week, up to and including today + 30 days
READS_AT_ONCE = 16  # views read side by side
# A renovation whose vote is open or counted, and not yet past it (BW 7:220 lid 3 and the objection term).
VOTE_STATES = (Renovation.DRAAGVLAKMETING, Renovation.DRAAGVLAK_BEREIKT, Renovation.KENNISGEVING_70,
               Renovation.BEZWAARTERMIJN, Renovation.DRAAGVLAK_NIET_BEREIKT)

# The kinds the filter offers: what the visibility index knows (an advice request and a consent request are one type).
KINDS = {"advies": (names.TYPE_ADVICE_REQUEST, "Adviesaanvragen en instemmingsverzoeken"),
         "renovatie": (names.TYPE_RENOVATION, "Renovaties")}
KIND_OF_TYPE = {names.TYPE_ADVICE_REQUEST: "Advies of instemming", names.TYPE_RENOVATION: "Renovatie"}
WHO = {"de organisatie": "de huurdersorganisatie"}

T = TypeVar("T")


@dataclass(frozen=True)
class Filters:
    organisation: str | None = None
    kind: str | None = None
    only_overdue: bool = False
    ignored: tuple[str, ...] = ()  # what the address asked for that we do not know

    @property
    def type(self) -> str | None:
        return KINDS[self.kind][0] if self.kind else None

    def labels(self, names_: dict[str, str]) -> list[str]:
        """What the list is filtered on, in words."""
        return [*([names_[self.organisation]] if self.organisation else []),
                *([KINDS[self.kind][1].lower()] if self.kind else []),
                *(["alleen wat te laat is"] if self.only_overdue else [])]

    @property
    def active(self) -> bool:
        return bool(self.organisation or self.kind or self.only_overdue)


def filters_of(request: Request) -> Filters:
    """The filters from the address; an unknown organisation or kind is left out, and the page says so."""
    q = request.query_params
    known = {o.id for o in request.app.state.directory.organisations}
    organisation, kind = q.get("organisatie", ""), q.get("soort", "")
    ignored = tuple(name for name, value, ok in (("organisatie", organisation, organisation in known),
                                                 ("soort", kind, kind in KINDS)) if value and not ok)
    return Filters(organisation=organisation if organisation in known else None, kind=kind if kind in KINDS else None,
                   only_overdue=q.get("alleen_te_laat") == "ja", ignored=ignored)


@dataclass
class Row:
    """One thing due: a term of a trajectory (or, read from the listing only, the trajectory's next term)."""

    id: str
    subject: str
    kind: str
    organisation: str
    task: wording.Task | None
    state: str = ""
    tally: Tally | None = None  # a renovation's count (its view's: the workflow's ``tally``)
    proposal: Proposal | None = None
    note: str = ""


@dataclass
class Listing:
    items: list[TrajectorySummary] = field(default_factory=list)
    complete: bool = True  # False: more than MAX_PAGES pages; the page says so


async def _listing(request: Request, principal: Principal, f: Filters, *, state: str | None = None,
                   overdue: bool | None = None, due_by: date | None = None, due_after: date | None = None) -> Listing:
    """Every trajectory that the API's listing gives for these filters, page after page (cursor)."""
    client = await request.app.state.temporal.get()
    out = Listing()
    cursor = None
    for _ in range(MAX_PAGES):
        page = await list_trajectories(principal, client, web.settings_of(request), type=f.type,
                                       organisation=f.organisation, state=state, overdue=overdue,
                                       due_by=due_by, due_after=due_after, limit=PAGE_SIZE, cursor=cursor)
        out.items.extend(page.items)
        cursor = page.next
        if cursor is None:
            return out
    out.complete = False
    return out


async def _bounded(calls: Iterable[Awaitable[T]]) -> list[T | BaseException]:
    gate = asyncio.Semaphore(READS_AT_ONCE)

    async def one(call: Awaitable[T]) -> T:
        async with gate:
            return await call

    return await asyncio.gather(*(one(c) for c in calls), return_exceptions=True)


def _names(request: Request) -> dict[str, str]:
    return {o.id: o.name for o in request.app.state.directory.organisations}


def _staff_task(t: wording.Task) -> wording.Task:
    return wording.Task(WHO.get(t.who, t.who), t.what, t.due_on, t.countdown)


def _rows_of(view: AdviceRequestView | RenovationView, request: Request, principal: Principal,
             overdue: bool) -> tuple[Row, list[Row]]:
    """The trajectory as a row without a term, and a row per running term; for an overdue trajectory also the
    term that passed last (what made it late)."""
    card = card_of(view, request, principal)
    whole = Row(id=view.id, subject=view.subject, kind=card["kind"], organisation=view.organisation_name, task=None,
                state=view.state_label, tally=getattr(view, "tally", None), proposal=getattr(view, "proposal", None))
    rows = [replace(whole, task=_staff_task(t)) for t in card["tasks"]]
    if overdue and not any(r.task and r.task.countdown.overdue for r in rows):
        passed = [t for t in view.deadlines if t.status.value == "expired"]
        if passed:
            last = max(passed, key=lambda t: t.due_on)
            rows.append(replace(whole, task=_staff_task(wording.task(last, web.today(request), for_staff=True))))
        else:
            rows.append(replace(whole, note="Een termijn is verstreken."))
    return whole, rows


UNREADABLE = "Wij kunnen dit traject nu niet laden. Probeer het over een paar minuten opnieuw."


def _from_listing(item: TrajectorySummary, names_: dict[str, str], today: date, note: str = "",
                  overdue: bool = False) -> Row:
    """A row from the listing alone: its next term's last day, without what is asked (nothing else is read)."""
    due = None if overdue or item.due_on is None else \
        wording.Task("", "", item.due_on, wording.countdown(item.due_on, today))
    return Row(id=item.id, subject=item.subject or item.id.upper(), kind=KIND_OF_TYPE.get(item.type, item.type),
               organisation=names_.get(item.organisation_id, item.organisation_id), task=due, note=note)


async def _read(request: Request, principal: Principal, items: list[TrajectorySummary]
                ) -> list[tuple[TrajectorySummary, AdviceRequestView | RenovationView | None]]:
    """Each trajectory's view; None for one that cannot be read now (it still shows, from the listing)."""
    views = await _bounded(visible_view(request, item.id, principal) for item in items)
    out: list[tuple[TrajectorySummary, AdviceRequestView | RenovationView | None]] = []
    for item, view in zip(items, views, strict=True):
        if isinstance(view, web.PageProblem):
            continue  # gone since it was listed
        out.append((item, None if isinstance(view, BaseException) else view))
    return out


@dataclass
class Sections:
    late: list[Row] = field(default_factory=list)
    week: list[Row] = field(default_factory=list)
    month: list[Row] = field(default_factory=list)
    later: list[Row] = field(default_factory=list)
    votes: list[Row] = field(default_factory=list)

    def place(self, row: Row, week_end: date, month_end: date) -> None:
        if row.task is None or row.task.countdown.overdue:
            self.late.append(row)
        elif row.task.due_on <= week_end:
            self.week.append(row)
        elif row.task.due_on <= month_end:
            self.month.append(row)
        # a term after the month of a trajectory with a nearer one: that nearer one is its row

    def sort(self) -> None:
        for rows in (self.late, self.week, self.month, self.later):
            rows.sort(key=lambda r: (r.task.due_on if r.task else date.min, r.subject))


async def _nothing() -> Listing:
    return Listing()


async def collect(request: Request, principal: Principal, f: Filters, today: date) -> tuple[Sections, bool]:
    """The sections for these filters, and whether every list was complete."""
    week_end, month_end = today + timedelta(days=WEEK_DAYS - 1), today + timedelta(days=MONTH_DAYS - 1)
    votes_wanted = not f.only_overdue and f.kind != "advies"
    late, soon, later, *votes = await asyncio.gather(
        _listing(request, principal, f, overdue=True),
        _nothing() if f.only_overdue else _listing(request, principal, f, overdue=False, due_by=month_end),
        _nothing() if f.only_overdue else _listing(request, principal, f, overdue=False, due_after=month_end),
        *(_listing(request, principal, f, state=s.value) for s in VOTE_STATES if votes_wanted))
    names_ = _names(request)
    overdue_ids, due_ids = {i.id for i in late.items}, {i.id for i in late.items} | {i.id for i in soon.items}
    in_vote = {i.id for listing in votes for i in listing.items}
    wanted = {i.id: i for i in [*late.items, *soon.items, *(i for listing in votes for i in listing.items)]}
    sections = Sections()
    for item, view in await _read(request, principal, list(wanted.values())):
        overdue = item.id in overdue_ids
        if view is None:
            if item.id in due_ids:
                sections.place(_from_listing(item, names_, today, UNREADABLE, overdue), week_end, month_end)
            continue
        whole, rows = _rows_of(view, request, principal, overdue)
        if item.id in due_ids:  # in a vote only: its next term is after the month, so it is under "Later"
            for row in rows:
                sections.place(row, week_end, month_end)
        if item.id in in_vote and whole.tally is not None:
            sections.votes.append(whole)
    if f.only_overdue:
        sections.week, sections.month = [], []
    sections.later = [_from_listing(item, names_, today) for item in later.items]
    sections.sort()
    sections.votes.sort(key=lambda r: r.subject)
    return sections, all(listing.complete for listing in (late, soon, later, *votes))


@router.get("/overzicht", response_class=HTMLResponse)
async def overview(request: Request) -> Response:
    session = await web.require_session(request)
    principal = session.principal()
    if not principal.is_staff:
        raise web.PageProblem(404, *web.PROBLEMS[404])  # as for a page of another organisation
    f = filters_of(request)
    today = web.today(request)
    sections, complete = await collect(request, principal, f, today)
    names_ = _names(request)
    return web.render(request, "overview.html", {
        "s": sections, "complete": complete, "f": f, "kinds": {k: v[1] for k, v in KINDS.items()},
        "organisations": sorted(names_.items(), key=lambda kv: kv[1].lower()),
        "chosen": f.labels(names_),
        "today": today, "week_end": today + timedelta(days=WEEK_DAYS - 1),
        "month_start": today + timedelta(days=WEEK_DAYS), "month_end": today + timedelta(days=MONTH_DAYS - 1),
        "limit": PAGE_SIZE * MAX_PAGES}, session=session)
