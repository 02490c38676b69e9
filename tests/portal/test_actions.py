"""The actions a trajectory's state allows, each a form made from the action's model: staff acting on an overdue
consent request, an organisation confirming receipt, a refusal in plain words, authorisation, accessibility."""

import asyncio
from datetime import date, timedelta

import pytest
from playwright.async_api import Page, expect
from pydantic import ValidationError

from inspraak.domain.advice_actions import DecisionTaken
from inspraak.domain.dutch import datum, datum_lang
from inspraak.domain.renovation_actions import Invite
from inspraak.services.portal import action_catalog as catalog
from inspraak.services.portal import action_words
from inspraak.services.portal.form_fields import data_of, errors_of_model
from inspraak.services.portal.login import staff_login_url
from tests.portal.conftest import Portal
from tests.portal.steps import DE_LINDE, EENDRACHT, axe_violations, log_in, screenshots, tab_to
from tests.services.api.renovation_steps import with_active_panel

DE_MOLEN = "bc-demolen@example.nl"


def test_every_action_has_a_form_or_says_where_it_is_done_and_every_field_a_dutch_label():
    for entries, words in ((catalog.ADVICE, action_words.ADVICE), (catalog.RENOVATION, action_words.RENOVATION)):
        for entry in entries.values():
            assert entry.name in words, entry.name
            assert entry.fields is not None or entry.name in action_words.ELSEWHERE, entry.name
            for f in (*(entry.fields or ()), *(s for g in entry.fields or () for s in g.sub)):
                assert f.name in action_words.FIELDS or (entry.name, f.name) in action_words.ACTION_FIELDS, f.name
                assert all(v in action_words.OPTIONS.get(f.name, {}) for v in f.options), (f.name, f.options)
    no_form = sorted(e.name for e in [*catalog.ADVICE.values(), *catalog.RENOVATION.values()] if e.fields is None)
    assert no_form == ["constitute_panel", "hand_in_plan", "send_proposals"]  # as docs/portal-actions.md says


def test_a_form_becomes_the_models_input_and_its_errors_land_on_their_fields():
    invite = catalog.RENOVATION["invitation"]
    assert invite.fields is not None
    data = data_of(invite.fields, {"kickoff_at": "2027-03-01T19:30", "kickoff_place": " Buurthuis ",
                                   "sign_up_deadline": "2027-03-20", "contact": ""}, "Europe/Amsterdam")
    action = Invite.model_validate(data)
    assert action.kickoff_at.isoformat() == "2027-03-01T19:30:00+01:00" and action.contact is None
    rent = catalog.RENOVATION["works-rent"]
    assert rent.fields is not None
    data = data_of(rent.fields, {"unit_ids": "301-001\r\n\r\n 301-002 \n", "outcome": "agreed",
                                 "recorded_on": "2027-05-01"}, "Europe/Amsterdam")
    assert data["unit_ids"] == ["301-001", "301-002"]
    dispute = catalog.ADVICE["dispute"]
    assert dispute.fields is not None
    assert data_of(dispute.fields, {"execution_suspended": "ja"}, "Europe/Amsterdam") == {"execution_suspended": True}
    with pytest.raises(ValidationError) as e:
        DecisionTaken.model_validate(data_of(catalog.ADVICE["decision"].fields or (), {
            "points-0-adopted": "nee", "points-0-motivation": "", "decision": "followed"}, "Europe/Amsterdam",
            {"points": 1}))
    found = {(f.field, f.item, f.sub, f.code) for f in errors_of_model(e.value)}
    assert found == {("points", 1, "motivation", "motivation_required"), ("decision", None, None, "decision_mismatch")}


async def _staff(page: Page, portal: Portal) -> None:
    url = staff_login_url(portal.api.settings, portal.sessions(), subject="sanne", name="Sanne Behandelaar",
                          email="sanne@voorbeeldhaven.nl")
    await page.goto(url)
    await page.get_by_role("button", name="Inloggen").click()
    await expect(page.get_by_role("heading", level=1)).to_have_text("Overzicht: wat moet wanneer")


async def _overdue_consent_request(portal: Portal, subject: str) -> dict:
    """A consent request registered after its term passed: nothing is deemed given (Wohv art. 5a), it escalates."""
    r = await portal.api.create(path="/v1/advice-requests/registrations", organisation_id="hv-eendracht",
                                subject=subject, category="j", consent_requested=True,
                                information_provided_on=(date.today() - timedelta(days=90)).isoformat())
    assert r.status_code == 201, r.text
    deadline = asyncio.get_running_loop().time() + 20
    while True:
        view = await portal.api.view(r.json()["id"])
        if view["state"] == "GEEN_INSTEMMING_ESCALATIE":
            return view
        assert asyncio.get_running_loop().time() < deadline, view["state"]
        await asyncio.sleep(0.2)


async def test_staff_act_on_an_overdue_consent_request_wohv_art_5a(portal: Portal, page: Page):
    view = await _overdue_consent_request(portal, "Servicekosten: te laat")
    rid, old_due = view["id"], date.fromisoformat(view["deadlines"][0]["due_on"])
    await _staff(page, portal)
    await page.goto(portal.url(f"/portaal/trajecten/{rid}"))
    await expect(page.get_by_text("Let op: een termijn is verstreken.")).to_be_visible()
    actions = page.get_by_role("region", name="Wat kunt u nu doen?")
    for name in ("De termijn verlengen", "Instemming of weigering vastleggen", "De aanvraag intrekken"):
        await expect(actions.get_by_role("link", name=name)).to_be_visible()
    await expect(actions.get_by_role("link", name="De uitvoering vastleggen")).to_have_count(0)  # not now
    await page.get_by_text("Wat kan nu niet, en waarom").click()
    await expect(actions).to_contain_text("De uitvoering vastleggen kan alleen als het instemmingsverzoek staat op "
                                          "‘uitvoerbaar’.")
    await expect(actions).not_to_contain_text("Besluit nemen op het advies")  # never on a consent request
    await screenshots(page, "acties-medewerker")

    # A new end before the old one: refused at its field in Dutch, what was typed kept, nothing recorded.
    await actions.get_by_role("link", name="De termijn verlengen").click()
    await expect(page.get_by_role("heading", level=1)).to_have_text("De termijn verlengen")
    too_early = (old_due - timedelta(days=1)).isoformat()
    await page.get_by_label("Nieuwe laatste dag van de termijn").fill(too_early)
    await page.get_by_label("Waarom de termijn langer wordt").fill("Er komt eerst nieuw overleg.")
    await page.get_by_role("button", name="De termijn verlengen").click()
    field = page.get_by_label("Nieuwe laatste dag van de termijn")
    await expect(page.get_by_role("alert")).to_contain_text(f"Kies een dag na {datum_lang(old_due)}")
    await expect(field).to_have_attribute("aria-invalid", "true")
    await expect(field).to_have_value(too_early)
    await expect(page.get_by_label("Waarom de termijn langer wordt")).to_have_value("Er komt eerst nieuw overleg.")
    await screenshots(page, "actie-fout")
    assert (await portal.api.view(rid))["state"] == "GEEN_INSTEMMING_ESCALATIE"

    new_end = date.today() + timedelta(days=30)
    await field.fill(new_end.isoformat())
    await page.get_by_role("button", name="De termijn verlengen").click()
    await expect(page).to_have_url(portal.url(f"/portaal/trajecten/{rid}?gedaan=term-extension"))
    await expect(page.get_by_role("status")).to_contain_text("Gelukt. De termijn is verlengd.")
    await expect(page.locator(".state")).to_have_text("Stand van zaken: in behandeling bij de organisatie")
    await expect(page.locator(".timeline li").filter(has_text="is verlengd van")).to_contain_text(
        f"tot en met {datum(new_end)}")
    after = await portal.api.view(rid)
    assert after["state"] == "IN_BEHANDELING"
    assert any(e["event"] == "term_extended" and e["by"] == "Sanne Behandelaar" for e in after["timeline"])

    # A date in the future for an answer that came in: refused at its field.
    await page.get_by_role("link", name="Instemming of weigering vastleggen").click()
    tomorrow = (date.today() + timedelta(days=1)).isoformat()
    await page.get_by_label("Datum van ontvangst").fill(tomorrow)
    await page.get_by_label("Nee, de organisatie stemt niet in").check()
    await page.get_by_role("button", name="Instemming of weigering vastleggen").click()
    await expect(page.get_by_role("alert")).to_contain_text("Deze datum ligt in de toekomst.")
    await expect(page.get_by_label("Datum van ontvangst")).to_have_value(tomorrow)
    await expect(page.get_by_label("Nee, de organisatie stemt niet in")).to_be_checked()
    assert (await portal.api.view(rid))["state"] == "IN_BEHANDELING"

    # An action the state does not allow: the form page says so, in words from the table, and has no form.
    response = await page.goto(portal.url(f"/portaal/trajecten/{rid}/acties/execution"))
    assert response is not None and response.status == 409
    await expect(page.get_by_role("alert")).to_contain_text(
        "Dit kan nu niet: het instemmingsverzoek staat op ‘in behandeling bij de organisatie’. De uitvoering "
        "vastleggen kan alleen als het instemmingsverzoek staat op ‘uitvoerbaar’.")
    await expect(page.get_by_role("button", name="De uitvoering vastleggen")).to_have_count(0)
    await screenshots(page, "actie-kan-niet")

    await page.goto(portal.url(f"/portaal/trajecten/{rid}/acties/withdrawal"))
    await page.get_by_label("Waarom de aanvraag wordt ingetrokken").fill("Het plan gaat niet door.")
    await page.get_by_role("button", name="De aanvraag intrekken").click()
    await expect(page.get_by_role("status")).to_contain_text("De aanvraag is ingetrokken.")
    await expect(page.locator(".state")).to_have_text("Stand van zaken: ingetrokken")
    await expect(page.locator(".timeline li").filter(has_text="Ingetrokken: Het plan gaat niet door.")).to_be_visible()


async def test_staff_record_advice_that_came_in_time_after_the_term_made_it_executable_wohv_art_5_lid_3_b(
        portal: Portal, page: Page):
    r = await portal.api.create(path="/v1/advice-requests/registrations", organisation_id="hv-eendracht",
                                subject="Advies op tijd, laat ingevoerd",
                                information_provided_on=(date.today() - timedelta(days=90)).isoformat())
    rid = r.json()["id"]
    deadline = asyncio.get_running_loop().time() + 20
    while (view := await portal.api.view(rid))["state"] != "UITVOERBAAR":
        assert asyncio.get_running_loop().time() < deadline, view["state"]
        await asyncio.sleep(0.2)
    due = date.fromisoformat(view["deadlines"][0]["due_on"])
    await _staff(page, portal)
    await page.goto(portal.url(f"/portaal/trajecten/{rid}/acties/advice"))
    await page.get_by_label("De adviespunten").fill("Op tijd gestuurd, per post.")
    await page.get_by_role("button", name="Ontvangen advies vastleggen").click()  # received today: too late
    await expect(page.get_by_role("alert")).to_contain_text(f"De adviestermijn eindigde op {datum_lang(due)}")
    await expect(page.get_by_label("Datum van ontvangst")).to_have_attribute("aria-invalid", "true")
    await expect(page.get_by_label("De adviespunten")).to_have_value("Op tijd gestuurd, per post.")
    await page.get_by_label("Datum van ontvangst").fill(due.isoformat())
    await page.get_by_role("button", name="Ontvangen advies vastleggen").click()
    await expect(page.get_by_role("status")).to_contain_text("Het advies is vastgelegd.")
    assert (await portal.api.view(rid))["state"] == "ADVIES_ONTVANGEN"


async def test_staff_record_advice_on_paper_and_decide_per_point_wohv_art_5_lid_2(portal: Portal, page: Page):
    rid = (await portal.api.create(organisation_id="hv-eendracht", subject="Advies per post")).json()["id"]
    await _staff(page, portal)
    await page.goto(portal.url(f"/portaal/trajecten/{rid}/acties/advice"))
    await page.get_by_label("De adviespunten").fill("Meer groen in de binnentuin.\n\nGeen huurverhoging.")
    await page.get_by_role("button", name="Ontvangen advies vastleggen").click()
    await expect(page.get_by_role("status")).to_contain_text("Het advies is vastgelegd.")
    await expect(page.locator(".state")).to_have_text("Stand van zaken: advies ontvangen, besluit nodig")

    await page.get_by_role("link", name="Besluit nemen op het advies").click()
    first, second = (page.get_by_role("group", name=f"Adviespunt {n} van 2") for n in (1, 2))
    await expect(first).to_contain_text("Meer groen in de binnentuin.")
    await first.get_by_label("Ja, overgenomen").check()
    await second.get_by_label("Niet overgenomen").check()
    await page.get_by_label("Advies deels gevolgd").check()
    await page.get_by_role("button", name="Besluit nemen op het advies").click()
    # No motivation for the point not adopted: said at that point's own field, the choices kept.
    motivation = second.get_by_label("Motivering")
    await expect(page.get_by_role("alert")).to_contain_text("Punt 2: Schrijf waarom dit punt niet of maar deels")
    await expect(motivation).to_have_attribute("aria-invalid", "true")
    await expect(second.get_by_label("Niet overgenomen")).to_be_checked()
    await screenshots(page, "besluit-fout")
    assert (await portal.api.view(rid))["state"] == "ADVIES_ONTVANGEN"

    await motivation.fill("De huur volgt het huurbeleid; daar gaat dit besluit niet over.")
    await page.get_by_role("button", name="Besluit nemen op het advies").click()
    await expect(page.get_by_role("status")).to_contain_text("Het besluit is vastgelegd.")
    await expect(page.locator(".state")).to_have_text("Stand van zaken: gemotiveerde reactie verzonden")
    view = await portal.api.view(rid)
    assert view["decision"]["decision"] == "partly"
    assert [p["adopted"] for p in view["decision"]["points"]] == ["ja", "nee"]


async def test_staff_record_a_panel_meeting_of_a_renovation_and_its_organisation_cannot(portal: Portal, page: Page):
    rid = await with_active_panel(portal.api, 3)
    await _staff(page, portal)
    await page.goto(portal.url(f"/portaal/trajecten/{rid}"))
    actions = page.get_by_role("region", name="Wat kunt u nu doen?")
    await expect(actions).to_contain_text("Projectplan of sociaal plan toevoegen: via de API: POST "
                                          f"/v1/renovations/{rid}/plans")
    await actions.get_by_role("link", name="Een panelvergadering vastleggen").click()
    await page.get_by_label("Aanwezigen").fill("Voorzitter van het panel\nSecretaris van het panel")
    await page.get_by_label("Wat is besproken").fill("De planning van de werkzaamheden.\n\nDe wisselwoningen.")
    await page.get_by_role("button", name="Een panelvergadering vastleggen").click()
    await expect(page.get_by_role("status")).to_contain_text("De vergadering is vastgelegd.")
    await expect(page.locator(".timeline li").filter(has_text="Panelbijeenkomst 1 gehouden op")).to_be_visible()

    await page.get_by_role("button", name="Uitloggen").click()
    await log_in(page, portal, DE_MOLEN)  # the renovation's own organisation: renovation actions are staff's
    response = await page.goto(portal.url(f"/portaal/trajecten/{rid}/acties/meetings"))
    assert response is not None and response.status == 404
    await page.goto(portal.url(f"/portaal/trajecten/{rid}"))
    await expect(page.get_by_role("region", name="Wat kunt u nu doen?")).to_have_count(0)


async def test_an_organisation_confirms_receipt_through_its_form(portal: Portal, page: Page):
    rid = (await portal.api.create(organisation_id="hv-eendracht", subject="Ontvangst via het portaal")).json()["id"]
    await log_in(page, portal, EENDRACHT)
    await page.goto(portal.url(f"/portaal/trajecten/{rid}"))
    actions = page.get_by_role("region", name="Wat kunt u nu doen?")
    await expect(actions.get_by_role("link")).to_have_text([  # only its own actions, what its term asks first
        "Geef uw advies", "Laten weten dat u de aanvraag hebt ontvangen", "Om overleg vragen",
        "Laten weten dat u geen bezwaar hebt"])
    await expect(page.get_by_text("Wat kan nu niet")).to_have_count(0)
    await screenshots(page, "acties-organisatie")
    await actions.get_by_role("link", name="Laten weten dat u de aanvraag hebt ontvangen").click()
    await expect(page.get_by_label("Ontvangen op")).to_have_value(date.today().isoformat())  # today, to change
    await screenshots(page, "actie-formulier")
    await page.get_by_role("button", name="Laten weten dat u de aanvraag hebt ontvangen").click()
    await expect(page.get_by_role("status")).to_contain_text("Gelukt. De ontvangst is vastgelegd.")
    await expect(page.locator(".state")).to_have_text("Stand van zaken: in behandeling bij de organisatie")
    await expect(page.get_by_role("link", name="Laten weten dat u de aanvraag hebt ontvangen")).to_have_count(0)
    view = await portal.api.view(rid)
    assert view["state"] == "IN_BEHANDELING"
    assert any(e["event"] == "receipt_confirmed" and e["by"] == "Anna Jansen" for e in view["timeline"])


async def test_an_organisation_gets_404_for_a_staff_action_and_for_another_organisations(portal: Portal,
                                                                                         page: Page):
    rid = (await portal.api.create(organisation_id="hv-eendracht", subject="Geen actie voor jou")).json()["id"]
    await log_in(page, portal, EENDRACHT)
    await page.goto(portal.url(f"/portaal/trajecten/{rid}"))
    token = str(await page.locator("input[name=formulier_token]").first.get_attribute("value"))
    response = await page.goto(portal.url(f"/portaal/trajecten/{rid}/acties/withdrawal"))
    assert response is not None and response.status == 404
    await expect(page.get_by_role("heading", level=1)).to_have_text("Deze pagina bestaat niet")
    response = await page.request.post(portal.url(f"/portaal/trajecten/{rid}/acties/withdrawal"),
                                       form={"reason": "Zelf ingetrokken.", "formulier_token": token})
    assert response.status == 404

    await page.get_by_role("button", name="Uitloggen").click()
    await log_in(page, portal, DE_LINDE)  # another organisation: not even its own kind of action
    token = str(await page.locator("input[name=formulier_token]").first.get_attribute("value"))
    response = await page.goto(portal.url(f"/portaal/trajecten/{rid}/acties/receipt"))
    assert response is not None and response.status == 404
    response = await page.request.post(portal.url(f"/portaal/trajecten/{rid}/acties/receipt"),
                                       form={"received_on": date.today().isoformat(), "formulier_token": token})
    assert response.status == 404
    assert (await portal.api.view(rid))["state"] == "VERZONDEN"


async def test_an_action_form_passes_axe_with_and_without_errors_reflows_and_works_by_keyboard(
        portal: Portal, axe_page: Page, axe_source: str):
    page = axe_page
    rid = (await portal.api.create(organisation_id="hv-eendracht", subject="Overleg met het toetsenbord")).json()["id"]
    await log_in(page, portal, EENDRACHT)
    await page.goto(portal.url(f"/portaal/trajecten/{rid}"))
    assert not await axe_violations(page, axe_source)

    order = await tab_to(page, "Om overleg vragen")
    assert order.index("Terug naar uw trajecten") < order.index("Om overleg vragen")
    await page.keyboard.press("Enter")
    await expect(page.get_by_role("heading", level=1)).to_have_text("Om overleg vragen")
    assert not await axe_violations(page, axe_source)
    await _reflows(page)

    # With the keyboard alone: the planned day (empty), the note, the button; the day it is asked is today.
    await expect(page.get_by_label("Gevraagd op")).to_have_count(0)
    await tab_to(page, "Toelichting (mag leeg blijven)", limit=12)  # a date field: a stop per part
    await page.keyboard.type("Graag op een avond.")
    await tab_to(page, "Om overleg vragen", limit=3)
    await page.keyboard.press("Enter")
    await expect(page.get_by_role("status")).to_contain_text("Het verzoek om overleg is vastgelegd.")
    view = await portal.api.view(rid)
    assert view["state"] == "OVERLEG_GEPLAND"
    assert any(e["event"] == "overleg_requested" and date.today().strftime("%Y") in e["text"]
               for e in view["timeline"])

    # A form with an error: the summary links to the field, which gets the focus; what was typed stays.
    await page.get_by_role("link", name="Laten weten dat u geen bezwaar hebt").click()
    note = page.get_by_label("Toelichting (mag leeg blijven)")
    await note.fill("Geen bezwaar. " * 300)
    await page.get_by_role("button", name="Laten weten dat u geen bezwaar hebt").click()
    await expect(page.get_by_role("alert")).to_contain_text("Dit is te lang: hoogstens 4000 tekens.")
    await expect(note).to_have_value("Geen bezwaar. " * 300)
    assert not await axe_violations(page, axe_source)
    await _reflows(page)
    await page.get_by_role("link", name="Dit is te lang: hoogstens 4000 tekens.").press("Enter")
    await expect(note).to_be_focused()
    assert (await portal.api.view(rid))["state"] == "OVERLEG_GEPLAND"

    await page.goto(portal.url(f"/portaal/trajecten/{rid}/acties/reply-receipt"))  # not now: the refusal
    await expect(page.get_by_role("alert")).to_contain_text("Dit kan nu niet")
    assert not await axe_violations(page, axe_source)
    await _reflows(page)


async def _reflows(page: Page) -> None:
    await page.set_viewport_size({"width": 320, "height": 640})
    sideways = await page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
    assert sideways <= 0, f"{page.url} scrolls sideways by {sideways}px at 320px"
    await page.set_viewport_size({"width": 1280, "height": 900})
