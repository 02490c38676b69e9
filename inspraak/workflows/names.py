"""Names shared by the worker, the API and the CLI: defined once here."""

from temporalio.common import SearchAttributeKey

TASK_QUEUE_DEFAULT = "inspraak"

ADVICE_REQUEST_PREFIX = "adv"

# Search attributes: trajectories are listed from Temporal visibility, not by querying every workflow.
TYPE = SearchAttributeKey.for_keyword("InspraakType")
ORGANISATION = SearchAttributeKey.for_keyword("InspraakOrganisation")
STATE = SearchAttributeKey.for_keyword("InspraakState")
NEXT_DEADLINE = SearchAttributeKey.for_datetime("InspraakNextDeadline")
OVERDUE = SearchAttributeKey.for_bool("InspraakOverdue")

SEARCH_ATTRIBUTES = (TYPE, ORGANISATION, STATE, NEXT_DEADLINE, OVERDUE)

TYPE_ADVICE_REQUEST = "advice_request"

# Activity names, as the worker registers them (the method names of the activity classes).
PLAN_TERM = "plan_term"
RENDER_DOCUMENT = "render_document"
SEND_MAIL = "send_mail"
