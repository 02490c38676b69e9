"""Listing from Temporal visibility with search attributes (dev server)."""

import asyncio
from datetime import date

from pydantic import SecretStr

from inspraak.services.api.routes.trajectories import _cursor
from inspraak.settings import Settings
from tests.services.api.conftest import Api


async def listed(api: Api, who: str, **params: str) -> list[dict]:
    r = await api.http.get("/v1/trajectories", params=params, headers=api.auth(who))
    assert r.status_code == 200, r.text
    return r.json()["items"]


async def eventually(predicate, timeout: float = 10.0):  # type: ignore[no-untyped-def]
    """Visibility is eventually consistent: poll briefly for what the workflow already did."""
    deadline = asyncio.get_running_loop().time() + timeout
    while True:
        result = await predicate()
        if result or asyncio.get_running_loop().time() > deadline:
            return result
        await asyncio.sleep(0.2)


async def test_staff_list_trajectories_by_type_organisation_and_state(api: Api):
    rid = (await api.create(organisation_id="sh-de-linde")).json()["id"]

    async def found() -> bool:
        items = await listed(api, "staff", type="advice_request", organisation="sh-de-linde", state="VERZONDEN")
        return any(i["id"] == rid for i in items)

    assert await eventually(found)


async def test_the_listing_follows_the_state(api: Api):
    rid = (await api.create()).json()["id"]
    await api.http.post(f"/v1/advice-requests/{rid}/receipt", json={"received_on": date.today().isoformat()},
                        headers=api.auth("staff"))

    async def moved() -> bool:
        return any(i["id"] == rid for i in await listed(api, "staff", state="IN_BEHANDELING"))

    assert await eventually(moved)


async def test_overdue_filter_lists_a_trajectory_that_really_is_overdue_wohv_art_5a(api: Api):
    on_time = (await api.create()).json()["id"]
    # Registered after its consent term passed: nothing is deemed (art. 5a), it escalates and is overdue.
    late = (await api.create(path="/v1/advice-requests/registrations", category="j", consent_requested=True,
                             information_provided_on=date.fromordinal(date.today().toordinal() - 90).isoformat())
            ).json()["id"]

    async def overdue() -> list[dict]:
        items = await listed(api, "staff", overdue="true")
        return items if any(i["id"] == late for i in items) else []

    items = await eventually(overdue)
    assert any(i["id"] == late for i in items)
    assert all(i["overdue"] for i in items)
    assert on_time not in [i["id"] for i in items]


async def test_an_organisation_lists_only_its_own(api: Api):
    own = (await api.create(organisation_id="hv-eendracht")).json()["id"]
    other = (await api.create(organisation_id="sh-de-linde")).json()["id"]

    async def visible() -> list[str]:
        return [i["id"] for i in await listed(api, "own")]

    ids = await eventually(lambda: _contains(visible, own))
    assert own in ids and other not in ids
    assert await listed(api, "own", organisation="sh-de-linde") == []


async def _contains(fn, item):  # type: ignore[no-untyped-def]
    ids = await fn()
    return ids if item in ids else []


async def test_a_bad_filter_is_a_400_naming_it(api: Api):
    r = await api.http.get("/v1/trajectories", params={"state": "NONSENSE"}, headers=api.auth("staff"))
    assert r.status_code == 400
    assert [(p["name"], p["code"]) for p in r.json()["invalidParams"]] == [("state", "enum")]


async def test_the_listing_pages_with_an_opaque_cursor(api: Api):
    started = {(await api.create(organisation_id="bc-de-molen")).json()["id"] for _ in range(3)}

    async def all_visible() -> bool:
        return started <= {i["id"] for i in await listed(api, "staff", organisation="bc-de-molen")}

    assert await eventually(all_visible)
    pages: list[list[str]] = []
    cursor: str | None = None
    while cursor is not None or not pages:
        params = {"organisation": "bc-de-molen", "limit": "2"} | ({"cursor": cursor} if cursor else {})
        r = await api.http.get("/v1/trajectories", params=params, headers=api.auth("staff"))
        assert r.status_code == 200, r.text
        assert set(r.json()) == {"items", "next"}
        pages.append([i["id"] for i in r.json()["items"]])
        cursor = r.json()["next"]
        assert len(pages) < 50
    ids = [i for page in pages for i in page]
    assert all(len(page) <= 2 for page in pages) and len(pages) >= 2
    assert len(ids) == len(set(ids)) and started <= set(ids)


async def test_an_item_carries_the_subject_and_the_last_day_of_its_next_term(api: Api):
    body = (await api.create(organisation_id="sh-de-linde", subject="Servicekosten 2027")).json()

    async def item() -> dict | None:
        return next((i for i in await listed(api, "staff", organisation="sh-de-linde") if i["id"] == body["id"]),
                    None)

    found = await eventually(item)
    assert found is not None
    assert found["subject"] == "Servicekosten 2027"
    assert found["due_on"] == body["term"]["due_on"]
    assert found["next_deadline"] is not None


async def test_a_cursor_from_another_filter_is_refused(api: Api):
    for _ in range(2):
        await api.create(organisation_id="bc-de-molen")

    async def cursor() -> str | None:
        r = await api.http.get("/v1/trajectories", params={"organisation": "bc-de-molen", "limit": "1"},
                               headers=api.auth("staff"))
        return r.json()["next"]

    token = await eventually(cursor)
    assert token
    r = await api.http.get("/v1/trajectories", params={"organisation": "sh-de-linde", "cursor": token},
                           headers=api.auth("staff"))
    assert r.status_code == 400
    assert [(p["name"], p["code"]) for p in r.json()["invalidParams"]] == [("cursor", "invalid_cursor")]


async def test_a_damaged_cursor_is_refused(api: Api):
    r = await api.http.get("/v1/trajectories", params={"cursor": "not-a-cursor!"}, headers=api.auth("staff"))
    assert r.status_code == 400
    assert r.json()["invalidParams"][0]["code"] == "invalid_cursor"


async def test_a_cursor_not_signed_by_the_api_is_refused_before_it_reaches_temporal(api: Api):
    forged = _cursor(Settings(jwt_secret=SecretStr("guessed")), "InspraakType IS NOT NULL", b"{}")
    r = await api.http.get("/v1/trajectories", params={"cursor": forged}, headers=api.auth("staff"))
    assert r.status_code == 400, r.text
    assert r.json()["invalidParams"][0]["code"] == "invalid_cursor"


async def test_a_signed_cursor_that_temporal_no_longer_accepts_is_a_400(api: Api):
    stale = _cursor(api.settings, "InspraakType IS NOT NULL", b"\x00stale")
    r = await api.http.get("/v1/trajectories", params={"cursor": stale}, headers=api.auth("staff"))
    assert r.status_code == 400, r.text
    assert r.json()["invalidParams"][0]["code"] == "invalid_cursor"
