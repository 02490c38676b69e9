"""How an advice request starts, written once: its term planned from the information date, the
organisation's agreed minimum (Wohv art. 6) and a later end staff chose, and the workflow input built around
it. The advice request's own start (``routes/advice_requests.py``) and the renovation's advice request on
its projectplan and sociaal plan (``routes/renovation_advice.py``, started there as a child workflow) both
call it, so both plan the same term the same way."""

from datetime import datetime

from inspraak.domain.advice import AdviceRequestInput, Registration
from inspraak.domain.advice_actions import NewAdviceRequest, OrganisationSnapshot, StaffMember
from inspraak.domain.organisations import Directory, Organisation
from inspraak.domain.terms import ADVICE_TERM, CONSENT_TERM, DeadlineSchedule, TermTooShortError, plan_deadline
from inspraak.services.api.errors import InvalidInput
from inspraak.services.api.trajectory_access import corporation_snapshot
from inspraak.settings import Settings


def plan_advice_term(body: NewAdviceRequest, org: Organisation, settings: Settings, now: datetime
                     ) -> tuple[DeadlineSchedule, int | None]:
    """The first term of a request to ``org`` (advice, art. 5 lid 1, or consent, art. 5a) and the minimum
    in days agreed with ``org``; a 400 on ``advice_term_ends_on`` when the chosen end is too early."""
    rule = CONSENT_TERM if body.consent_requested else ADVICE_TERM
    agreed_weeks = org.consent_term_weeks if body.consent_requested else org.advice_term_weeks
    minimum_days = agreed_weeks * 7 if agreed_weeks else None
    try:
        term = plan_deadline(rule, body.information_provided_on, settings.term_policy(), now,
                             requested_due_on=body.advice_term_ends_on, minimum_days=minimum_days)
    except TermTooShortError as e:
        source = f" and the agreement with {org.name}" if minimum_days and minimum_days > rule.days else ""
        raise InvalidInput.field("advice_term_ends_on", "term_too_short",
                                 f"the {rule.name} must end on or after {e.minimum_due_on.isoformat()}: at least "
                                 f"{e.minimum_days // 7} weeks from information_provided_on ({rule.article}{source})"
                                 ) from e
    return term, minimum_days


def advice_request_input(trajectory_id: str, body: NewAdviceRequest, org: Organisation, directory: Directory,
                         owner: StaffMember, settings: Settings, now: datetime,
                         registration: Registration | None = None) -> AdviceRequestInput:
    """The advice request's workflow input: the request, its addressee as it is now, its planned term."""
    term, minimum_days = plan_advice_term(body, org, settings, now)
    return AdviceRequestInput(
        id=trajectory_id,
        request=body,
        organisation=OrganisationSnapshot(id=org.id, name=org.name, kind=org.kind, address=org.address,
                                          postcode_city=org.postcode_city, contacts=org.contacts,
                                          agreement_reference=org.agreement_reference),
        corporation=corporation_snapshot(directory),
        owner=owner,
        term=term,
        minimum_term_days=minimum_days,
        registration=registration,
        max_extension_days=settings.max_extension_days,
    )
