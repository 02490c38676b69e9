"""The portal in a real browser: Debian's chromium driven by Playwright, against the whole app over HTTP.

The app (API and portal), a worker and Temporal's dev server run as in tests/services/api; mail goes over
real SMTP to a server on loopback, where the tests read the login links. axe-core comes from the npm package
that scripts/test.sh installs into tests/portal/node_modules (tests/portal/package.json); chromium from
Debian's package, which scripts/test.sh installs too. Without either, these tests skip and say why (in CI
they fail instead). Screenshots go to out/portal-screenshots/ (not committed).
"""

import asyncio
import os
import re
import shutil
import uuid
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest
import uvicorn
from aiosmtpd.controller import Controller
from oidc_provider_mock import User, run_server_in_thread
from temporalio.contrib.pydantic import pydantic_data_converter
from temporalio.testing import WorkflowEnvironment

from inspraak.activities.storage import LocalDocumentStore
from inspraak.services.api.app import create_app
from inspraak.services.portal.sessions import Sessions
from inspraak.services.worker.main import build_worker
from inspraak.settings import REPO_ROOT, Settings
from inspraak.workflows import names
from tests.activities.conftest import SmtpSink, free_port
from tests.conftest import BIN
from tests.services.api.conftest import Api, tokens_for

AXE = Path(__file__).parent / "node_modules" / "axe-core" / "axe.min.js"
SCREENSHOTS = REPO_ROOT / "out" / "portal-screenshots"
CHROMIUM_FLAGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                  "--disable-background-networking", "--disable-component-update", "--disable-sync"]
LOGIN_SUBJECT = "Uw link om in te loggen bij Inspraak"
DESKTOP = {"width": 1280, "height": 900}
PHONE = {"width": 390, "height": 844}


def _missing(what: str) -> None:
    if os.environ.get("CI"):
        pytest.fail(f"{what} (scripts/test.sh installs it)")
    pytest.skip(f"{what}: run bash scripts/test.sh, which installs it")


def chromium_path() -> str:
    found = shutil.which("chromium") or shutil.which("chromium-browser")
    if found is None:
        _missing("Debian's chromium is not installed")
    assert found is not None
    return found


@dataclass
class Portal:
    base: str
    api: Api
    mail: SmtpSink

    def url(self, path: str) -> str:
        return f"{self.base}{path}"

    def sessions(self) -> Sessions:
        """The portal's signer of links and sessions, over the same store (links for staff, say)."""
        return Sessions(self.api.settings, LocalDocumentStore(self.api.settings.documents_dir))

    async def link_for(self, address: str, after: int = 0, timeout: float = 15) -> str:
        """The login link in the newest mail to ``address`` (waits for it: it is sent after the answer)."""
        deadline = asyncio.get_running_loop().time() + timeout
        while True:
            for received in self.mail.messages[after:]:
                if address in received.rcpt_tos and received.message["Subject"] == LOGIN_SUBJECT:
                    body = received.message.get_body(("plain",))
                    assert body is not None
                    match = re.search(r"https?://\S+/portaal/inloggen/link\?t=\S+", body.get_content())
                    assert match, body.get_content()
                    return match.group(0)
            if asyncio.get_running_loop().time() > deadline:
                raise AssertionError(f"no login mail to {address}")
            await asyncio.sleep(0.1)


@pytest.fixture(scope="session")
async def portal_env() -> AsyncIterator[WorkflowEnvironment]:
    """A dev server of the portal tests' own: a listing shows every trajectory of an organisation, and those other
    tests leave behind have no worker any more to answer their queries."""
    async with await WorkflowEnvironment.start_local(
        dev_server_existing_path=str(BIN / "temporal"), data_converter=pydantic_data_converter,
        search_attributes=list(names.SEARCH_ATTRIBUTES), dev_server_log_level="error",
    ) as e:
        yield e


STAFF_USERS = [
    User(sub="sanne", claims={"email": "sanne@voorbeeldhaven.nl", "name": "Sanne Behandelaar", "groups": []}),
    User(sub="marieke", claims={"email": "m.devries@voorbeeldhaven.nl", "name": "Marieke de Vries",
                                "groups": ["inspraak-managers"]}),
]


@pytest.fixture(scope="session")
def oidc_issuer() -> Iterator[str]:
    """A real OpenID Connect provider on loopback (package oidc-provider-mock) with two staff members."""
    with run_server_in_thread(port=free_port(), require_nonce=True, user_claims=STAFF_USERS) as server:
        yield f"http://127.0.0.1:{server.server_port}"


@pytest.fixture(scope="session")
async def portal(portal_env: WorkflowEnvironment, oidc_issuer: str,
                 tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[Portal]:
    sink = SmtpSink(host="127.0.0.1", port=free_port())
    controller = Controller(sink, hostname=sink.host, port=sink.port)
    controller.start()
    port = free_port()
    settings = Settings(data_dir=tmp_path_factory.mktemp("portal"), task_queue=f"portal-{uuid.uuid4().hex[:8]}",
                        api_port=port, api_public_url=f"http://127.0.0.1:{port}", mail_backend="smtp",
                        smtp_host=sink.host, smtp_port=sink.port, max_upload_bytes=64 * 1024,
                        portal_login_links_per_hour=1000, oidc_issuer=oidc_issuer,
                        oidc_client_secret="portal-test-secret")
    app = create_app(settings, client=portal_env.client)
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    try:
        async with build_worker(portal_env.client, settings):
            task = asyncio.create_task(server.serve())
            while not server.started:
                await asyncio.sleep(0.02)
            async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}", timeout=30) as http:
                yield Portal(f"http://127.0.0.1:{port}", Api(http, settings, tokens_for(settings)), sink)
            server.should_exit = True
            await task
    finally:
        controller.stop()


@pytest.fixture(scope="session")
async def browser() -> AsyncIterator[Any]:
    executable = chromium_path()
    from playwright.async_api import async_playwright

    async with async_playwright() as p:
        launched = await p.chromium.launch(executable_path=executable, args=CHROMIUM_FLAGS)
        yield launched
        await launched.close()


@pytest.fixture
def axe_source() -> str:
    if not AXE.exists():
        _missing(f"axe-core is not installed at {AXE}")
    return AXE.read_text(encoding="utf-8")


@pytest.fixture
async def page(browser: Any) -> AsyncIterator[Any]:
    """A fresh browser profile (no cookies) with the portal's own CSP in force."""
    context = await browser.new_context(viewport=DESKTOP, locale="nl-NL", accept_downloads=True)
    yield await context.new_page()
    await context.close()


@pytest.fixture
async def axe_page(browser: Any) -> AsyncIterator[Any]:
    """As ``page``, but the CSP lets the test add axe-core to the page (the portal itself runs no script)."""
    context = await browser.new_context(viewport=DESKTOP, locale="nl-NL", bypass_csp=True)
    yield await context.new_page()
    await context.close()
