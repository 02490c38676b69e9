"""Listing from Temporal visibility with search attributes (dev server)."""

import asyncio
from datetime import date

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


async def test_overdue_filter_lists_only_overdue_trajectories(api: Api):
    await api.create()
    items = await listed(api, "staff", overdue="true")
    assert all(i["overdue"] for i in items)


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
