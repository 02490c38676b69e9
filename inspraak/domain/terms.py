"""The statutory terms, each in one place with its article, and how a due date is planned from them.

Terms are dates in Europe/Amsterdam: a term's last day is ``due_on`` and it has passed at midnight
after that day. Due dates are planned here once, outside workflow code, and stored as absolute
instants, so a new holiday table never changes a running workflow.
"""

from datetime import date, datetime, time, timedelta
from enum import StrEnum
from zoneinfo import ZoneInfo

from dateutil.relativedelta import relativedelta
from pydantic import BaseModel, Field

from inspraak.domain.calendar import AtwCalendar


class Audience(StrEnum):
    ORGANISATION = "organisation"  # the tenant organisation's contacts
    OWNER = "owner"  # the staff member handling the trajectory
    MANAGER = "manager"  # the manager, for escalations
    LEGAL = "legal"  # the corporation's legal staff (the manager when none is named)


class RungKind(StrEnum):
    REMINDER = "reminder"
    ALERT = "alert"
    ESCALATION = "escalation"


class RungRule(BaseModel):
    """One step of a reminder ladder: ``days`` before the due date, or after the anchor."""

    key: str
    kind: RungKind
    audience: Audience
    days: int
    relative_to: str = Field(default="due", pattern="^(due|anchor)$")


class CalendarDay(BaseModel):
    """A day of the year without the year: 1 July, 15 December."""

    month: int = Field(ge=1, le=12)
    day: int = Field(ge=1, le=31)

    def in_year(self, year: int) -> date:
        return date(year, self.month, self.day)


class TermRule(BaseModel):
    """A term from the law (or from practice, said so in ``article``), with its ladder of reminders.

    A term is one of: ``days``/``months``/``years`` after its anchor ("14 dagen na ontvangst", "drie
    maanden na oplevering"), or a fixed day of the calendar (``fixed``: "vóór 1 juli" is ``fixed`` 1 July
    with ``before``; "15 december"), the first such day after the anchor. ``recurring`` marks a yearly
    obligation: once met or passed, the next one is planned a year on (:func:`next_occurrence`).
    """

    key: str
    name: str  # Dutch, as letters and pages show it
    article: str
    days: int = 0
    months: int = 0
    years: int = 0
    fixed: CalendarDay | None = None
    before: bool = False  # the term ends the day before ``fixed`` ("vóór 1 juli")
    recurring: bool = False
    # False for a term the landlord sets (Wohv 5 lid 1): the Atw then applies only when configured.
    statutory_end: bool = True
    ladder: list[RungRule] = []
    on_expiry: RungKind | None = None


# Wohv art. 5 lid 1: the landlord sets the advice term, at least six weeks from the provision of the
# information of art. 4. Reminders to the organisation 14 and 7 days before it ends.
ADVICE_TERM = TermRule(
    key="advice_term",
    name="adviestermijn",
    article="artikel 5 lid 1 Wet op het overleg huurders verhuurder",
    days=42,
    statutory_end=False,
    ladder=[
        RungRule(key="reminder_14", kind=RungKind.REMINDER, audience=Audience.ORGANISATION, days=14),
        RungRule(key="reminder_7", kind=RungKind.REMINDER, audience=Audience.ORGANISATION, days=7),
    ],
)

# Wohv art. 5a: the law sets no term for consent; the agreement (SOK) does. Six weeks by default, like
# the advice term. On expiry nothing is deemed: it escalates.
CONSENT_TERM = TermRule(
    key="consent_term",
    name="termijn voor instemming",
    article="artikel 5a Wet op het overleg huurders verhuurder",
    days=42,
    statutory_end=False,
    ladder=ADVICE_TERM.ladder,
    on_expiry=RungKind.ESCALATION,
)

# Wohv art. 5 lid 2: a landlord that does not (fully) follow the advice gives its reasons in writing
# within 14 days of receiving it. Alerts to the owner on day 7 and 10, the manager on day 12 and when
# the term is missed: a missed term weakens the landlord before the kantonrechter (art. 8 lid 3).
REPLY_TERM = TermRule(
    key="reply_term",
    name="termijn voor de gemotiveerde reactie",
    article="artikel 5 lid 2 Wet op het overleg huurders verhuurder",
    days=14,
    ladder=[
        RungRule(key="alert_day_7", kind=RungKind.ALERT, audience=Audience.OWNER, days=7,
                 relative_to="anchor"),
        RungRule(key="alert_day_10", kind=RungKind.ALERT, audience=Audience.OWNER, days=10,
                 relative_to="anchor"),
        RungRule(key="escalation_day_12", kind=RungKind.ESCALATION, audience=Audience.MANAGER, days=12,
                 relative_to="anchor"),
    ],
    on_expiry=RungKind.ESCALATION,
)

# Wohv art. 5 lid 3 sub c: the decision may be carried out three days after the organisation received
# the landlord's written reasons.
EXECUTION_WAIT = TermRule(
    key="execution_wait",
    name="wachttijd na de gemotiveerde reactie",
    article="artikel 5 lid 3 sub c Wet op het overleg huurders verhuurder",
    days=3,
)

# Wohv art. 8a: a ruling of the Huurcommissie binds unless a party goes to court within 8 weeks after a
# copy of the ruling was sent.
COURT_AFTER_RULING = TermRule(
    key="court_after_ruling",
    name="termijn om na de uitspraak van de Huurcommissie naar de rechter te gaan",
    article="artikel 8a Wet op het overleg huurders verhuurder",
    days=56,
    ladder=[RungRule(key="alert_week_6", kind=RungKind.ALERT, audience=Audience.OWNER, days=42,
                     relative_to="anchor")],
)

# ---- terms of the later trajectories (renovation, agreement, prestatieafspraken) -----------------

# BW 7:220 lid 3: a tenant who did not agree may ask the court within 8 weeks after the landlord's
# written notice that at least 70% agreed; counted per home from its own receipt. Legal hears at 6 weeks.
RENOVATION_OBJECTION = TermRule(
    key="renovation_objection",
    name="termijn om de rechter te vragen of het renovatievoorstel redelijk is",
    article="artikel 7:220 lid 3 Burgerlijk Wetboek",
    days=56,
    ladder=[RungRule(key="alert_week_6", kind=RungKind.ALERT, audience=Audience.LEGAL, days=42,
                     relative_to="anchor")],
)

# BW 7:255 lid 2: without agreement on the rent increase after improvements, either party may go to the
# Huurcommissie within three months after the works are completed. Alert after two months.
RENT_INCREASE_AFTER_WORKS = TermRule(
    key="rent_increase_after_works",
    name="termijn voor de Huurcommissie na oplevering",
    article="artikel 7:255 lid 2 Burgerlijk Wetboek",
    months=3,
    ladder=[RungRule(key="alert_month_2", kind=RungKind.ALERT, audience=Audience.OWNER, days=30)],
)

# BW 7:220 lid 6: the minimum moving allowance is indexed every year before 1 March; the amount table
# is data that staff update, this is the yearly task to do so.
MOVING_ALLOWANCE_INDEXATION = TermRule(
    key="moving_allowance_indexation",
    name="jaarlijkse indexering van de verhuiskostenvergoeding",
    article="artikel 7:220 lid 6 Burgerlijk Wetboek",
    fixed=CalendarDay(month=3, day=1),
    before=True,
    recurring=True,
    statutory_end=False,
    ladder=[RungRule(key="reminder_month", kind=RungKind.REMINDER, audience=Audience.OWNER, days=28)],
)

# Wohv art. 5b lid 3: the landlord consults the organisation at least once every calendar year. When
# none is planned by 1 October, the manager hears (domain brief 7.1).
YEARLY_OVERLEG = TermRule(
    key="yearly_overleg",
    name="jaarlijks overleg",
    article="artikel 5b lid 3 Wet op het overleg huurders verhuurder",
    fixed=CalendarDay(month=12, day=31),
    recurring=True,
    statutory_end=False,
    ladder=[RungRule(key="escalation_1_october", kind=RungKind.ESCALATION, audience=Audience.MANAGER,
                     days=91)],
    on_expiry=RungKind.ESCALATION,
)

# Wohv art. 7 lid 2: the organisation accounts for its yearly budget within two months after the
# calendar year; anchored on 31 December, so the term ends on the last day of February.
BUDGET_ACCOUNTING = TermRule(
    key="budget_accounting",
    name="verantwoording van het jaarbudget",
    article="artikel 7 lid 2 Wet op het overleg huurders verhuurder",
    months=2,
    recurring=True,
    ladder=[RungRule(key="reminder_2_weeks", kind=RungKind.REMINDER, audience=Audience.ORGANISATION, days=14)],
)

# Woningwet art. 43 lid 1: the corporation sends its bod before 1 July every year.
BOD_DEADLINE = TermRule(
    key="bod_deadline",
    name="termijn voor het bod",
    article="artikel 43 lid 1 Woningwet",
    fixed=CalendarDay(month=7, day=1),
    before=True,
    recurring=True,
    statutory_end=False,
    ladder=[RungRule(key="reminder_draft_to_ho", kind=RungKind.REMINDER, audience=Audience.OWNER, days=60),
            RungRule(key="escalation_board", kind=RungKind.ESCALATION, audience=Audience.MANAGER, days=15)],
    on_expiry=RungKind.ESCALATION,
)

# Practice, no statutory basis found (domain brief 3): signed prestatieafspraken by 15 December.
SIGNATURE_TARGET = TermRule(
    key="signature_target",
    name="streefdatum ondertekening prestatieafspraken",
    article="praktijk (geen wettelijke grondslag gevonden); configureerbaar",
    fixed=CalendarDay(month=12, day=15),
    recurring=True,
    statutory_end=False,
    ladder=[RungRule(key="alert_1_november", kind=RungKind.ALERT, audience=Audience.OWNER, days=44),
            RungRule(key="alert_1_december", kind=RungKind.ALERT, audience=Audience.OWNER, days=14)],
)

# Woningwet art. 44 lid 4: without agreement within six months after the overleg starts, a party may put
# the dispute to the minister within four weeks after it arises.
NO_AGREEMENT = TermRule(
    key="no_agreement",
    name="zes maanden overleg over prestatieafspraken",
    article="artikel 44 lid 4 Woningwet",
    months=6,
    on_expiry=RungKind.ESCALATION,
)
DISPUTE_FILING = TermRule(
    key="dispute_filing",
    name="termijn om het geschil aan de minister voor te leggen",
    article="artikel 44 lid 4 Woningwet",
    days=28,
    ladder=[RungRule(key="alert_week_2", kind=RungKind.ALERT, audience=Audience.OWNER, days=14,
                     relative_to="anchor")],
)

# Practice, no statutory basis (domain brief 7.2 B2-B3): households sign up for the renovation panel until a
# day staff choose, at least 14 days after the invitation so post and a kick-off fit in. Staff hear three days
# before it closes, with the count so far, to send a reminder or call round.
SIGN_UP = TermRule(
    key="sign_up",
    name="aanmeldtermijn voor het bewonerspanel",
    article="praktijk (geen wettelijke grondslag); de sluitingsdatum kiest de behandelaar, ten minste 14 dagen "
            "na de uitnodiging",
    days=14,
    statutory_end=False,
    ladder=[RungRule(key="reminder_3_days", kind=RungKind.REMINDER, audience=Audience.OWNER, days=3)],
    on_expiry=RungKind.ALERT,
)

# The reply date of the renovatievoorstel (T_REPLY, domain brief 7.2 B9): practice (WBO, Poort6), no statutory
# basis; staff choose the date, at least 14 days after the proposals go out so post and a home visit fit in.
# Five days before it, households that have not answered get a reminder and staff the count so far.
PROPOSAL_REPLY = TermRule(
    key="proposal_reply",
    name="antwoordtermijn renovatievoorstel",
    article="praktijk (geen wettelijke grondslag); de antwoorddatum kiest de behandelaar, ten minste 14 dagen "
            "na verzending van de voorstellen",
    days=14,
    statutory_end=False,
    ladder=[RungRule(key="reminder_5_days", kind=RungKind.REMINDER, audience=Audience.OWNER, days=5)],
    on_expiry=RungKind.ALERT,
)

# AVG art. 5 lid 1 e: personal data no longer than needed. The law sets no period for a renovation's records; the
# landlord's policy does (INSPRAAK_PERSONAL_DATA_RETENTION_MONTHS, from the day the renovation was closed or
# stopped; docs/renovation-works.md). Staff hear when it has passed, and erase.
PERSONAL_DATA_RETENTION = TermRule(
    key="personal_data_retention",
    name="bewaartermijn persoonsgegevens renovatie",
    article="artikel 5 lid 1 onder e AVG (opslagbeperking); de duur is beleid van de verhuurder",
    statutory_end=False,
    on_expiry=RungKind.ALERT,
)

TERMS: dict[str, TermRule] = {t.key: t for t in (
    ADVICE_TERM, CONSENT_TERM, REPLY_TERM, EXECUTION_WAIT, COURT_AFTER_RULING, RENOVATION_OBJECTION,
    RENT_INCREASE_AFTER_WORKS, MOVING_ALLOWANCE_INDEXATION, YEARLY_OVERLEG, BUDGET_ACCOUNTING, BOD_DEADLINE,
    SIGNATURE_TARGET, NO_AGREEMENT, DISPUTE_FILING, SIGN_UP, PROPOSAL_REPLY, PERSONAL_DATA_RETENTION)}


class TermPolicy(BaseModel):
    """How terms are computed; set by configuration (INSPRAAK_TERMS_*)."""

    apply_atw: bool = True
    # The advice term is set by the landlord, not by law; extending it too keeps it from ending on a
    # day the organisation cannot act (domain brief 1.6). Legal staff may switch this off.
    extend_landlord_terms: bool = True
    extra_non_working_days: list[date] = []
    timezone: str = "Europe/Amsterdam"
    reminder_time: time = time(9, 0)


class TermTooShortError(ValueError):
    """A requested end date falls before the minimum the law or the agreement allows."""

    def __init__(self, rule: TermRule, minimum_due_on: date, minimum_days: int) -> None:
        self.rule = rule
        self.minimum_due_on = minimum_due_on
        self.minimum_days = minimum_days
        weeks = f"{minimum_days // 7} weken" if minimum_days % 7 == 0 else f"{minimum_days} dagen"
        super().__init__(
            f"the {rule.name} must be at least {weeks} ({rule.article}); "
            f"the earliest end date is {minimum_due_on.isoformat()}"
        )


class PlannedRung(BaseModel):
    key: str
    kind: RungKind
    audience: Audience
    fire_at: datetime
    on: date


class DeadlineSchedule(BaseModel):
    """A planned term: when it ends, what fires before, and the evidence it was computed from."""

    term: str
    name: str
    article: str
    anchor: date
    due_on: date
    unextended_due_on: date
    extended_reason: str | None = None
    expires_at: datetime
    rungs: list[PlannedRung] = []
    on_expiry: RungKind | None = None


def minimum_due_on(rule: TermRule, anchor: date, minimum_days: int | None = None) -> date:
    """The earliest last day of the term, before the Atw moves it."""
    if rule.fixed is not None:
        due = rule.fixed.in_year(anchor.year)
        if due <= anchor:
            due = rule.fixed.in_year(anchor.year + 1)
        return due - timedelta(days=1) if rule.before else due
    due = anchor + relativedelta(months=rule.months, years=rule.years) + timedelta(days=rule.days)
    return max(due, anchor + timedelta(days=minimum_days or 0))


def next_occurrence(rule: TermRule, previous: DeadlineSchedule) -> date:
    """The anchor of the next yearly occurrence of a recurring obligation (Wohv 5b lid 3, 7 lid 2)."""
    if not rule.recurring:
        raise ValueError(f"{rule.key} is not a recurring obligation")
    return previous.unextended_due_on


def plan_deadline(
    rule: TermRule,
    anchor: date,
    policy: TermPolicy,
    as_of: datetime,
    *,
    requested_due_on: date | None = None,
    minimum_days: int | None = None,
) -> DeadlineSchedule:
    """Plan a term from its anchor date.

    Args:
        rule: the term.
        anchor: the day the term starts to run from (provision of information, receipt of advice...).
        policy: the configured calendar rules.
        as_of: now; rungs that would fire before it are left out (after an extension, say).
        requested_due_on: a later end the landlord chose; refused when before the minimum.
        minimum_days: a longer minimum agreed with the organisation (Wohv art. 6, the SOK).

    Raises:
        TermTooShortError: ``requested_due_on`` is before the minimum end date.
    """
    minimum = minimum_due_on(rule, anchor, minimum_days)
    if requested_due_on is not None and requested_due_on < minimum:
        raise TermTooShortError(rule, minimum, (minimum - anchor).days)
    due = requested_due_on or minimum
    calendar = AtwCalendar(policy.extra_non_working_days)
    extended = due
    if policy.apply_atw and (rule.statutory_end or policy.extend_landlord_terms):
        extended = calendar.extend_term(anchor, due)
    reason = None
    if extended != due:
        reason = calendar.reason_closed(due) or "minimaal twee werkdagen (artikel 2 Algemene termijnenwet)"
    tz = ZoneInfo(policy.timezone)
    expires_at = datetime.combine(extended + timedelta(days=1), time(0, 0), tz)
    rungs = []
    for r in rule.ladder:
        on = anchor + timedelta(days=r.days) if r.relative_to == "anchor" else extended - timedelta(days=r.days)
        fire_at = datetime.combine(on, policy.reminder_time, tz)
        if as_of < fire_at < expires_at:
            rungs.append(PlannedRung(key=r.key, kind=r.kind, audience=r.audience, fire_at=fire_at, on=on))
    return DeadlineSchedule(
        term=rule.key,
        name=rule.name,
        article=rule.article,
        anchor=anchor,
        due_on=extended,
        unextended_due_on=due,
        extended_reason=reason,
        expires_at=expires_at,
        rungs=sorted(rungs, key=lambda r: r.fire_at),
        on_expiry=rule.on_expiry,
    )


def local_date(instant: datetime, timezone: str) -> date:
    """The calendar day ``instant`` falls on where the terms run (Europe/Amsterdam)."""
    return instant.astimezone(ZoneInfo(timezone)).date()
