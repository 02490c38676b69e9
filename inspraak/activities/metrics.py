"""Inspraak's own metrics, recorded through Temporal's metric meter: they are exported with the SDK's
metrics (Prometheus, ``INSPRAAK_METRICS_PROMETHEUS_ADDRESS``, or OTLP, ``INSPRAAK_METRICS_OTLP``), and nothing is
recorded without one.

Labels are kinds, never people: a document type, no trajectory, organisation or household.
"""

from temporalio import activity

from inspraak.domain.documents import DocumentType

# A reminder before a term ends, and the letters of an escalation once it has passed.
REMINDERS = frozenset({DocumentType.HERINNERING})
ESCALATIONS = frozenset({DocumentType.TERMIJN_VERSTREKEN, DocumentType.INTERNE_ESCALATIE})


def document_generated(doc_type: DocumentType, render_seconds: float) -> None:
    """Count a letter rendered and stored, with its render time; reminders and escalations also by themselves."""
    if not activity.in_activity():  # called directly (tests, tools): no meter to record on
        return
    meter = activity.metric_meter().with_additional_attributes({"document_type": doc_type.value})
    meter.create_counter("inspraak_documents_generated", "Letters rendered and stored, per document type").add(1)
    meter.create_histogram_float("inspraak_document_render_seconds", "Time to render one letter from its template",
                                 "s").record(render_seconds)
    if doc_type in REMINDERS:
        meter.create_counter("inspraak_reminders", "Reminder letters made before a term ends").add(1)
    if doc_type in ESCALATIONS:
        meter.create_counter("inspraak_escalations", "Letters made when a term has passed").add(1)
