"""The state x action table of the advice request (domain brief 7.1): one table, read by validators and handlers."""

from temporalio import workflow

from inspraak.domain.advice import ADVICE_TABLE, CONSENT_TABLE, FINAL_STATES, State
from inspraak.workflows.advice_request import AdviceRequestWorkflow


def test_every_update_of_the_workflow_has_a_rule_in_both_tables():
    defn = workflow._Definition.from_class(AdviceRequestWorkflow)
    assert defn is not None
    assert set(defn.updates) == set(ADVICE_TABLE.rules) == set(CONSENT_TABLE.rules)


def test_nothing_is_allowed_on_a_closed_trajectory_and_the_refusal_names_the_state():
    for table in (ADVICE_TABLE, CONSENT_TABLE):
        for state in FINAL_STATES:
            assert table.allowed(state) == []
            for action in table.rules:
                reason = table.refusal(action, state)
                assert reason is not None and state in reason, (action, state, reason)


def test_a_dispute_can_be_filed_after_execution_wohv_art_8():
    assert "file_dispute" in ADVICE_TABLE.allowed(State.UITGEVOERD)


def test_refused_consent_never_ripens_into_execution_wohv_art_5a():
    reason = CONSENT_TABLE.refusal("record_execution", State.INSTEMMING_GEWEIGERD)
    assert reason is not None and "may not be carried out (artikel 5a Wohv)" in reason and "yet" not in reason


def test_an_advice_request_refuses_consent_and_a_consent_request_refuses_advice_wohv_art_5_and_5a():
    assert "consent request" in (CONSENT_TABLE.refusal("record_advice", State.VERZONDEN) or "")
    assert "advice request" in (ADVICE_TABLE.refusal("record_consent", State.VERZONDEN) or "")
    assert "no_objection" not in " ".join(CONSENT_TABLE.allowed(State.VERZONDEN))
