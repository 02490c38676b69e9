"""The slow-down of wrong reply codes (shared by the API and the portal) and the address the letters print."""

import pytest

from inspraak.services.api import reply_codes
from inspraak.services.api.reply_codes import QUIET_SECONDS, WrongCodes
from inspraak.services.cli.devstack import local_settings
from inspraak.settings import Settings


@pytest.fixture
def settings(tmp_path) -> Settings:
    return Settings(data_dir=tmp_path, reply_code_delay_seconds=0.5, reply_code_max_delay_seconds=3)


def test_wrong_codes_wait_longer_per_client_address_and_per_renovation(settings: Settings, monkeypatch):
    clock = [1000.0]
    monkeypatch.setattr(reply_codes.time, "monotonic", lambda: clock[0])
    guard = WrongCodes()
    # One address trying several renovations: its own count grows.
    assert [guard.delay(settings, "10.0.0.1", f"ren-2026-{n}") for n in range(3)] == [0.5, 1.0, 1.5]
    # Many addresses trying one renovation: the renovation's count grows.
    assert [guard.delay(settings, f"10.0.1.{n}", "ren-2026-doel") for n in range(3)] == [0.5, 1.0, 1.5]
    # Never beyond the most; an id that is no renovation's counts as one renovation ("-").
    assert [guard.delay(settings, "10.0.0.1", "../etc") for _ in range(5)][-1] == 3
    # After a quarter of an hour without a wrong try, an address and a renovation start afresh.
    clock[0] += QUIET_SECONDS + 1
    assert guard.delay(settings, "10.0.0.1", "ren-2026-doel") == 0.5


def test_the_letters_print_the_portal_page_of_their_renovation_and_inspraak_dev_a_working_one(settings: Settings):
    assert settings.reply_url_for("ren-2026-abc") == "https://inspraak.voorbeeldhaven.nl/portaal/antwoord/ren-2026-abc"
    dev = local_settings(Settings(data_dir=settings.data_dir))
    assert dev.reply_url_for("ren-2026-abc") == "http://127.0.0.1:8000/portaal/antwoord/ren-2026-abc"
    own = Settings(data_dir=settings.data_dir, reply_url="https://woonstichting.nl/antwoord/")
    assert own.reply_url_for("ren-2026-abc") == "https://woonstichting.nl/antwoord/ren-2026-abc"


def test_a_kenmerk_is_read_as_a_tenant_types_it():
    from inspraak.services.portal.household import _renovation_id

    for typed in ("REN-2026-7K3M9Q2X4P", " ren-2026-7k3m9q2x4p/", "REN-2026-7K3M9Q2X4P ", "ren-2026- 7k3m9q2x4p"):
        assert _renovation_id(typed) == "ren-2026-7k3m9q2x4p"
    assert _renovation_id("REN-2026-0OIL1") == "ren-2026-00111"


def _request(host: str, guard: WrongCodes, settings: Settings):  # type: ignore[no-untyped-def]
    from types import SimpleNamespace

    return SimpleNamespace(client=SimpleNamespace(host=host),
                           app=SimpleNamespace(state=SimpleNamespace(settings=settings, wrong_reply_codes=guard)))


def test_an_ipv6_network_counts_as_one_address_and_an_ipv4_one_as_itself(settings: Settings):
    key = lambda host: reply_codes.client_key(_request(host, WrongCodes(), settings))  # noqa: E731
    assert key("2001:db8:1:2::5") == key("2001:db8:1:2:ffff::9") == "2001:db8:1:2::/64"
    assert key("2001:db8:1:3::5") != key("2001:db8:1:2::5")
    assert key("::ffff:10.0.0.7") == key("10.0.0.7") == "10.0.0.7"


async def test_with_five_wrong_tries_of_an_address_waiting_the_next_is_refused_before_its_code_is_checked(
        settings: Settings):
    import asyncio

    from inspraak.services.api.errors import TooManyTries

    guard = WrongCodes()
    waiting = [asyncio.create_task(guard.refuse(_request("10.0.0.9", guard, settings), "ren-2026-doel"))
               for _ in range(reply_codes.MAX_WAITING)]
    await asyncio.sleep(0.05)
    with pytest.raises(TooManyTries) as refused:
        guard.admit(_request("10.0.0.9", guard, settings))
    assert refused.value.status == 429 and refused.value.headers == {"Retry-After": "60"}
    guard.admit(_request("10.0.0.10", guard, settings))  # another household is not held up
    for task in waiting:
        task.cancel()
    await asyncio.gather(*waiting, return_exceptions=True)
    guard.admit(_request("10.0.0.9", guard, settings))  # none waiting any more
