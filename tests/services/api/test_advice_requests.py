"""Advice requests over HTTP: a trajectory through the API, problem+json for bad input."""

import asyncio
import json
import re
import uuid
from datetime import date, timedelta

from tests.services.api.conftest import Api

PROBLEM = "application/problem+json"


async def test_staff_start_an_advice_request_and_see_its_term_and_letter(api: Api):
    r = await api.create()
    assert r.status_code == 201, r.text
    body = r.json()
    assert r.headers["Location"] == f"/v1/advice-requests/{body['id']}"
    # hv-eendracht agreed eight weeks in its SOK (Wohv art. 6): longer than the law's six.
    assert date.fromisoformat(body["term"]["due_on"]) >= date.today() + timedelta(weeks=8)
    v = await api.http.get(f"/v1/advice-requests/{body['id']}", headers=api.auth("staff"))
    assert v.status_code == 200
    assert v.json()["state"] == "VERZONDEN"


async def test_the_organisation_hands_in_its_advice_and_staff_decide(api: Api):
    rid = (await api.create()).json()["id"]
    advice = {"received_on": date.today().isoformat(), "points": [{"summary": "Meer groen"}]}
    r = await api.http.post(f"/v1/advice-requests/{rid}/advice", json=advice, headers=api.auth("own"))
    assert r.status_code == 200, r.text
    # An update answers with what changed: the state, the term it started, the letter it made.
    changed = r.json()
    assert changed["state"] == "ADVIES_ONTVANGEN"
    assert changed["term"]["term"] == "reply_term"
    assert changed["document"]["type"] == "ontvangstbevestiging_advies"
    assert "timeline" not in changed and "documents" not in changed
    v = await api.view(rid)
    assert any(e["event"] == "advice_received" and e["actor"] == "organisation" for e in v["timeline"])
    decision = {"decision": "not_followed", "points": [{"adopted": "nee", "motivation": "Te duur."}]}
    r = await api.http.post(f"/v1/advice-requests/{rid}/decision", json=decision, headers=api.auth("staff"))
    assert r.status_code == 200, r.text
    assert r.json()["state"] == "REACTIE_VERZONDEN"
    types = [d["type"] for d in (await api.view(rid))["documents"]]
    assert types == ["adviesaanvraag", "ontvangstbevestiging_advies", "reactie_advies"]


async def test_a_term_shorter_than_six_weeks_is_refused_naming_the_field_and_article_wohv_art_5_lid_1(api: Api):
    r = await api.create(organisation_id="sh-de-linde",
                         advice_term_ends_on=(date.today() + timedelta(weeks=5)).isoformat())
    assert r.status_code == 400
    assert r.headers["content-type"] == PROBLEM
    [err] = r.json()["invalidParams"]
    assert (err["name"], err["code"]) == ("advice_term_ends_on", "term_too_short")
    assert "artikel 5 lid 1" in err["reason"]


async def test_a_term_shorter_than_the_agreed_eight_weeks_is_refused_wohv_art_6(api: Api):
    r = await api.create(advice_term_ends_on=(date.today() + timedelta(weeks=7)).isoformat())
    assert r.status_code == 400
    assert "agreement with Huurdersvereniging Eendracht" in r.json()["invalidParams"][0]["reason"]


async def test_consent_for_a_bewonerscommissie_is_refused_wohv_art_5a(api: Api):
    r = await api.create(organisation_id="bc-de-molen", category="j", consent_requested=True)
    assert r.status_code == 400
    [err] = r.json()["invalidParams"]
    assert (err["name"], err["code"]) == ("consent_requested", "consent_only_huurdersorganisatie")
    assert "artikel 5a" in err["reason"]


async def test_consent_outside_servicekosten_is_refused_wohv_art_5a(api: Api):
    r = await api.create(category="a", consent_requested=True)
    assert r.status_code == 400
    [err] = r.json()["invalidParams"]
    assert (err["name"], err["code"]) == ("consent_requested", "consent_only_servicekosten")
    assert "artikel 5a" in r.json()["detail"]


async def test_every_missing_field_is_a_400_naming_it_with_a_stable_code(api: Api):
    r = await api.http.post("/v1/advice-requests", json={"organisation_id": "hv-eendracht"},
                            headers=api.auth("staff"))
    assert r.status_code == 400
    assert r.headers["content-type"] == PROBLEM
    params = {(p["name"], p["code"]) for p in r.json()["invalidParams"]}
    assert {("subject", "required"), ("information_provided_on", "required"), ("category", "required")} <= params
    assert all(p["reason"] for p in r.json()["invalidParams"])


async def test_a_nested_field_is_named_by_its_json_path(api: Api):
    r = await api.create(attachments=[{"title": "Plan"}, {"title": "x" * 201}])
    assert r.status_code == 400
    assert [(p["name"], p["code"]) for p in r.json()["invalidParams"]] == [("attachments[1].title", "max_length")]


async def test_malformed_json_is_a_400_that_says_so(api: Api):
    r = await api.http.post("/v1/advice-requests", content=b'{"subject": "Onderhoud",',
                            headers=api.auth("staff") | {"Content-Type": "application/json"})
    assert r.status_code == 400
    assert r.headers["content-type"] == PROBLEM
    [err] = r.json()["invalidParams"]
    assert (err["name"], err["code"]) == ("$", "malformed_json")
    assert "not valid JSON at character" in err["reason"]


async def test_an_unknown_organisation_is_refused(api: Api):
    r = await api.create(organisation_id="nobody")
    assert r.status_code == 400
    assert [(p["name"], p["code"]) for p in r.json()["invalidParams"]] == [("organisation_id", "unknown_organisation")]


async def test_an_action_the_state_does_not_allow_is_a_409_that_says_why(api: Api):
    rid = (await api.create()).json()["id"]
    r = await api.http.post(f"/v1/advice-requests/{rid}/execution", json={"executed_on": date.today().isoformat()},
                            headers=api.auth("staff"))
    assert r.status_code == 409
    assert r.headers["content-type"] == PROBLEM
    assert "artikel 5 lid 3" in r.json()["detail"]


async def test_a_decision_with_the_wrong_number_of_points_is_a_400_naming_points(api: Api):
    rid = (await api.create()).json()["id"]
    advice = {"received_on": date.today().isoformat(), "points": [{"summary": "A"}, {"summary": "B"}]}
    await api.http.post(f"/v1/advice-requests/{rid}/advice", json=advice, headers=api.auth("staff"))
    r = await api.http.post(f"/v1/advice-requests/{rid}/decision",
                            json={"decision": "followed", "points": [{"adopted": "ja"}]}, headers=api.auth("staff"))
    assert r.status_code == 400
    assert r.headers["content-type"] == PROBLEM
    assert r.json()["invalidParams"][0]["name"] == "points"


async def test_every_point_without_its_motivation_is_named_wohv_art_5_lid_2(api: Api):
    rid = (await api.create()).json()["id"]
    decision = {"decision": "followed", "points": [{"adopted": "nee"}, {"adopted": "ja"}, {"adopted": "deels"}]}
    r = await api.http.post(f"/v1/advice-requests/{rid}/decision", json=decision, headers=api.auth("staff"))
    assert r.status_code == 400
    params = [(p["name"], p["code"]) for p in r.json()["invalidParams"]]
    assert params == [("points[0].motivation", "motivation_required"), ("points[2].motivation", "motivation_required"),
                      ("decision", "decision_mismatch")]
    assert "artikel 5 lid 2" in r.json()["invalidParams"][0]["reason"]
    assert "'partly'" in r.json()["invalidParams"][2]["reason"]


async def test_a_date_in_the_future_is_refused(api: Api):
    rid = (await api.create()).json()["id"]
    r = await api.http.post(f"/v1/advice-requests/{rid}/receipt",
                            json={"received_on": (date.today() + timedelta(days=3)).isoformat()},
                            headers=api.auth("staff"))
    assert r.status_code == 400
    assert r.json()["invalidParams"][0]["name"] == "received_on"


async def test_the_actor_cannot_be_set_by_the_caller(api: Api):
    rid = (await api.create()).json()["id"]
    r = await api.http.post(f"/v1/advice-requests/{rid}/receipt",
                            json={"received_on": date.today().isoformat(),
                                  "actor": {"role": "staff", "name": "Spoof"}}, headers=api.auth("own"))
    assert r.status_code == 200
    entry = (await api.view(rid))["timeline"][-1]
    assert entry["actor"] == "organisation" and entry["by"] != "Spoof"


async def test_an_unknown_trajectory_is_a_404_problem(api: Api):
    r = await api.http.get("/v1/advice-requests/adv-19990101-000000", headers=api.auth("staff"))
    assert r.status_code == 404
    assert r.headers["content-type"] == PROBLEM


async def test_an_action_on_a_closed_trajectory_is_a_409_naming_its_state(api: Api):
    rid = (await api.create()).json()["id"]
    r = await api.http.post(f"/v1/advice-requests/{rid}/withdrawal", json={"reason": "Plan vervalt"},
                            headers=api.auth("staff"))
    assert r.status_code == 200, r.text
    assert r.json()["document"]["type"] == "intrekking"  # a withdrawal gets a letter, not only a mail
    r = await api.http.post(f"/v1/advice-requests/{rid}/receipt", json={"received_on": date.today().isoformat()},
                            headers=api.auth("staff"))
    assert r.status_code == 409, r.text
    assert r.headers["content-type"] == PROBLEM
    assert r.json()["state"] == "INGETROKKEN" and "INGETROKKEN" in r.json()["detail"]
    assert (await api.http.get(f"/v1/advice-requests/{rid}", headers=api.auth("staff"))).status_code == 200


async def test_a_dispute_can_still_be_filed_after_execution_wohv_art_8(api: Api):
    rid = (await api.create()).json()["id"]
    today = date.today().isoformat()
    for path, body in [("no-objection", {"received_on": today}), ("execution", {"executed_on": today}),
                       ("dispute", {"forum": "kantonrechter", "filed_on": today, "description": "Geen overleg"})]:
        r = await api.http.post(f"/v1/advice-requests/{rid}/{path}", json=body, headers=api.auth("staff"))
        assert r.status_code == 200, (path, r.text)
    v = await api.view(rid)
    assert v["state"] == "UITGEVOERD" and v["dispute"]["forum"] == "kantonrechter"


async def test_information_provided_in_the_future_is_refused(api: Api):
    r = await api.create(information_provided_on=(date.today() + timedelta(days=1)).isoformat())
    assert r.status_code == 400
    assert r.json()["invalidParams"][0]["name"] == "information_provided_on"
    assert r.json()["invalidParams"][0]["code"] == "date_in_future"


async def test_information_provided_long_ago_is_refused_and_points_to_registration(api: Api):
    r = await api.create(information_provided_on=(date.today() - timedelta(days=30)).isoformat())
    assert r.status_code == 400
    param = r.json()["invalidParams"][0]
    assert (param["name"], param["code"]) == ("information_provided_on", "too_long_ago")
    assert "/v1/advice-requests/registrations" in param["reason"]


async def test_a_request_sent_on_paper_is_registered_without_a_new_letter_or_past_reminders(api: Api):
    r = await api.create(path="/v1/advice-requests/registrations", original_reference="BRF-2026-0091",
                         information_provided_on=(date.today() - timedelta(days=45)).isoformat())
    assert r.status_code == 201, r.text
    assert r.json()["registered"]
    v = await api.view(r.json()["id"])
    assert v["registered"] and v["state"] == "VERZONDEN"
    assert v["documents"] == []  # no adviesaanvraag again; the 14-day reminder lay in the past
    assert not any(e["event"].startswith("reminder") for e in v["timeline"])


async def test_a_complex_of_another_organisation_is_refused(api: Api):
    r = await api.create(organisation_id="sh-de-linde", complexes=["Complex 101 Vissersbuurt"])
    assert r.status_code == 400
    param = r.json()["invalidParams"][0]
    assert (param["name"], param["code"]) == ("complexes[0]", "complex_of_other_organisation")


async def test_a_date_before_the_event_it_answers_is_refused(api: Api):
    rid = (await api.create()).json()["id"]
    r = await api.http.post(f"/v1/advice-requests/{rid}/receipt",
                            json={"received_on": (date.today() - timedelta(days=1)).isoformat()},
                            headers=api.auth("own"))
    assert r.status_code == 400, r.text
    assert r.json()["invalidParams"][0] == {
        "name": "received_on", "code": "before_event",
        "reason": f"received_on cannot be before the information was provided ({date.today().isoformat()})"}


async def test_the_original_of_a_registered_request_can_be_handed_in_and_downloaded(api: Api):
    rid = (await api.create(path="/v1/advice-requests/registrations",
                            information_provided_on=(date.today() - timedelta(days=20)).isoformat())).json()["id"]
    pdf = b"%PDF-1.4\n% an original letter, scanned\n%%EOF\n"
    r = await api.http.post(f"/v1/advice-requests/{rid}/uploads", params={"title": "Originele adviesaanvraag"},
                            content=pdf, headers=api.auth("staff") | {"Content-Type": "application/pdf"})
    assert r.status_code == 201, r.text
    doc = r.json()["document"]
    assert (doc["type"], doc["title"], doc["content_type"]) == ("upload", "Originele adviesaanvraag", "application/pdf")
    assert [d["id"] for d in (await api.view(rid, "own"))["documents"]] == [doc["id"]]
    got = await api.http.get(f"/v1/documents/{doc['id']}/content", headers=api.auth("own"))
    assert got.status_code == 200 and got.content == pdf
    assert got.headers["content-type"] == "application/pdf"
    assert ".pdf" in got.headers["content-disposition"]


async def test_an_upload_is_known_by_its_content_not_by_its_name(api: Api):
    rid = (await api.create()).json()["id"]
    r = await api.http.post(f"/v1/advice-requests/{rid}/uploads", params={"title": "brief.pdf"},
                            content=b"MZ\x90\x00 not a pdf at all", headers=api.auth("staff") | {
                                "Content-Type": "application/pdf"})
    assert r.status_code == 400
    assert r.json()["invalidParams"][0]["code"] == "unsupported_file"


async def test_another_organisation_cannot_hand_in_a_file(api: Api):
    rid = (await api.create()).json()["id"]
    r = await api.http.post(f"/v1/advice-requests/{rid}/uploads", params={"title": "x"}, content=b"%PDF-1.4",
                            headers=api.auth("other") | {"Content-Type": "application/pdf"})
    assert r.status_code == 404


# ---- hardening: ids, idempotency, text, dates ---------------------------------------------------

TRAJECTORY_ID = re.compile(r"^adv-\d{4}-[0-9a-hjkmnp-tv-z]{10}$")


async def test_a_trajectory_id_is_readable_with_the_year_and_50_random_bits(api: Api):
    ids = [(await api.create()).json()["id"] for _ in range(2)]
    assert all(TRAJECTORY_ID.match(i) for i in ids), ids
    assert ids[0] != ids[1] and ids[0].startswith(f"adv-{date.today().year}-")


async def test_the_same_idempotency_key_and_body_answer_with_the_first_trajectory(api: Api):
    key = {"Idempotency-Key": f"key-{uuid.uuid4()}"}
    body = await api.create(subject="Idempotent verzoek")
    first = await api.http.post("/v1/advice-requests", json=json.loads(body.request.content),
                                headers=api.auth("staff") | key)
    again = await api.http.post("/v1/advice-requests", json=json.loads(body.request.content),
                                headers=api.auth("staff") | key)
    assert (first.status_code, again.status_code) == (201, 201), again.text
    assert again.json() == first.json() and again.headers["Location"] == first.headers["Location"]
    assert TRAJECTORY_ID.match(first.json()["id"])
    for _ in range(100):  # the letter is made by the worker, a moment after the start
        documents = [d["type"] for d in (await api.view(first.json()["id"]))["documents"]]
        if documents:
            break
        await asyncio.sleep(0.05)
    assert documents == ["adviesaanvraag"]  # one trajectory, one letter


async def test_the_same_idempotency_key_with_another_body_is_a_409(api: Api):
    key = {"Idempotency-Key": f"key-{uuid.uuid4()}"}
    r1 = await api.create(subject="Eerste verzoek")
    body = json.loads(r1.request.content)
    first = await api.http.post("/v1/advice-requests", json=body, headers=api.auth("staff") | key)
    other = await api.http.post("/v1/advice-requests", json=body | {"subject": "Ander verzoek"},
                                headers=api.auth("staff") | key)
    assert first.status_code == 201
    assert (other.status_code, other.headers["content-type"]) == (409, PROBLEM)
    assert "Idempotency-Key" in other.json()["detail"]


async def test_the_same_idempotency_key_of_another_caller_starts_its_own_trajectory(api: Api):
    key = {"Idempotency-Key": f"key-{uuid.uuid4()}"}
    body = json.loads((await api.create()).request.content)
    mine = await api.http.post("/v1/advice-requests", json=body, headers=api.auth("staff") | key)
    theirs = await api.http.post("/v1/advice-requests", json=body, headers=api.auth("manager") | key)
    assert (mine.status_code, theirs.status_code) == (201, 201)
    assert mine.json()["id"] != theirs.json()["id"]


async def test_an_idempotency_key_that_is_no_plain_ascii_is_a_400_naming_the_header(api: Api):
    body = json.loads((await api.create()).request.content)
    r = await api.http.post("/v1/advice-requests", json=body,
                            headers=api.auth("staff") | {"Idempotency-Key": "x" * 256})
    assert r.status_code == 400
    assert r.json()["invalidParams"][0]["name"] == "Idempotency-Key"


async def test_a_registration_keyed_twice_starts_one_trajectory(api: Api):
    key = {"Idempotency-Key": f"key-{uuid.uuid4()}"}
    body = json.loads((await api.create()).request.content) | {"information_provided_on": "2024-03-01",
                                                                  "original_reference": "K-2024-17"}
    first = await api.http.post("/v1/advice-requests/registrations", json=body, headers=api.auth("staff") | key)
    again = await api.http.post("/v1/advice-requests/registrations", json=body, headers=api.auth("staff") | key)
    assert (first.status_code, again.status_code) == (201, 201), first.text
    assert first.json()["id"] == again.json()["id"] and first.json()["id"].startswith("adv-2024-")


async def test_a_subject_with_a_line_break_is_a_400_naming_the_field(api: Api):
    r = await api.create(subject="Onderhoud\r\nBcc: iedereen@example.org")
    assert r.status_code == 400
    [err] = r.json()["invalidParams"]
    assert (err["name"], err["code"]) == ("subject", "control_character")


async def test_a_registration_before_1970_is_a_400_not_a_500(api: Api):
    r = await api.create(path="/v1/advice-requests/registrations", information_provided_on="1936-05-01")
    assert r.status_code == 400, r.text
    [err] = r.json()["invalidParams"]
    assert (err["name"], err["code"]) == ("information_provided_on", "date_out_of_range")


async def test_a_term_ending_after_2100_is_a_400(api: Api):
    r = await api.create(advice_term_ends_on="2101-01-03")
    assert r.status_code == 400
    assert r.json()["invalidParams"][0]["code"] == "date_out_of_range"


async def test_an_extension_of_more_than_a_year_is_a_400_naming_new_end(api: Api):
    created = (await api.create()).json()
    due = date.fromisoformat(created["term"]["due_on"])
    r = await api.http.post(f"/v1/advice-requests/{created['id']}/term-extension", headers=api.auth("staff"),
                            json={"new_end": (due + timedelta(days=400)).isoformat(), "reason": "te lang"})
    assert r.status_code == 400, r.text
    [err] = r.json()["invalidParams"]
    assert (err["name"], err["code"]) == ("new_end", "extension_too_long")


async def test_a_file_larger_than_the_upload_limit_is_a_413_and_a_json_body_keeps_its_own_limit(api: Api):
    rid = (await api.create()).json()["id"]
    # Declared too large: refused before a byte of the body is read (raw HTTP, as a client that would stream).
    reader, writer = await asyncio.open_connection("127.0.0.1", api.settings.api_port)
    writer.write(f"POST /v1/advice-requests/{rid}/uploads?title=x HTTP/1.1\r\nHost: localhost\r\n"
                 f"Authorization: {api.auth('staff')['Authorization']}\r\nContent-Type: application/pdf\r\n"
                 f"Content-Length: {api.settings.max_upload_bytes + 1}\r\n\r\n".encode())
    await writer.drain()
    status_line = await reader.readline()
    writer.close()
    assert b" 413 " in status_line
    two_mb = b"%PDF-1.4\n" + b"0" * 2_000_000  # larger than a JSON body may be, within the upload limit
    r = await api.http.post(f"/v1/advice-requests/{rid}/uploads", params={"title": "Scan"}, content=two_mb,
                            headers=api.auth("staff"))
    assert r.status_code == 201, r.text


async def test_an_upload_title_with_a_line_break_is_refused(api: Api):
    rid = (await api.create()).json()["id"]
    r = await api.http.post(f"/v1/advice-requests/{rid}/uploads", params={"title": "Brief\nBcc: x"},
                            content=b"%PDF-1.4", headers=api.auth("staff"))
    assert r.status_code == 400
    assert r.json()["invalidParams"][0]["code"] == "control_character"


async def test_the_same_file_handed_in_twice_is_one_document(api: Api):
    rid = (await api.create()).json()["id"]
    for _ in range(2):
        r = await api.http.post(f"/v1/advice-requests/{rid}/uploads", params={"title": "Bijlage"},
                                content=b"%PDF-1.4 twice", headers=api.auth("staff"))
        assert r.status_code == 201, r.text
    assert [d["type"] for d in (await api.view(rid))["documents"]].count("upload") == 1


async def test_a_closed_trajectory_takes_no_file_and_stores_none(api: Api):
    rid = (await api.create()).json()["id"]
    await api.http.post(f"/v1/advice-requests/{rid}/withdrawal", json={"reason": "x"}, headers=api.auth("staff"))
    r = await api.http.post(f"/v1/advice-requests/{rid}/uploads", params={"title": "Te laat"},
                            content=b"%PDF-1.4 late", headers=api.auth("staff"))
    assert r.status_code == 409
    assert not list((api.settings.documents_dir / "trajectories" / rid).glob("upload-*"))
