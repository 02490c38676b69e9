"""Starting a renovation the way the API does (register stored first, only its key in the input), for tests."""

import uuid
from typing import Any

from temporalio.client import Client, WorkflowHandle

from inspraak.activities.register import store_register
from inspraak.activities.storage import build_store
from inspraak.domain.advice import CorporationSnapshot, OrganisationSnapshot, StaffMember
from inspraak.domain.households import Complex, parse_households
from inspraak.domain.panel import PanelLegalStatus, advice_addressee, complex_flags
from inspraak.domain.renovation import NewRenovation, RenovationInput, Works, initial_state
from inspraak.services.directory import load_directory
from inspraak.settings import Settings
from inspraak.workflows import names
from inspraak.workflows.renovation import RenovationWorkflow


def households_csv(n: int, every_other_email: bool = True) -> str:
    rows = ["eenheid;adres;huurder;medehuurder;contractnummer;huur;email;telefoon"]
    for i in range(1, n + 1):
        email = f"huurder{i}@example.nl" if every_other_email and i % 2 == 0 else ""
        co = f"B. Partner-{i}" if i % 3 == 0 else ""
        rows.append(f"301-{i:03d};Molenweg {i}, 1236 EF Voorbeeldstad;Huurder Nummer {i};{co};HO-{i:05d};"
                    f"{700 + i},50;{email};")
    return "\n".join(rows) + "\n"


def new_renovation(status: PanelLegalStatus = PanelLegalStatus.BC_WOHV) -> NewRenovation:
    return NewRenovation(
        complex=Complex(id="301", name="Complex 301 De Molen", address="Molenweg 1-95, Voorbeeldstad",
                        units_in_complex=48),
        subject="Renovatie complex 301 De Molen", description="Isolatie, kozijnen en badkamers.",
        reason="De woningen zijn ruim vijftig jaar oud.",
        works=Works(renovation="Isolatie en nieuwe kozijnen", maintenance="Schilderwerk"), occupied=True,
        panel_legal_status=status)


async def start_renovation(client: Client, settings: Settings, homes: int = 40,
                           status: PanelLegalStatus = PanelLegalStatus.BC_WOHV,
                           with_search_attributes: bool = False) -> WorkflowHandle[Any, Any]:
    directory = load_directory(settings.organisations_file)
    households = parse_households(households_csv(homes))
    body = new_renovation(status)
    flags = complex_flags(body.complex, households)
    addressee = advice_addressee(directory, body.complex, status, flags)
    org = directory.get(addressee.organisation_id)
    assert org is not None
    c = directory.corporation
    wf_id = f"ren-test-{uuid.uuid4().hex[:10]}"
    register = await store_register(build_store(settings), wf_id, households)
    inp = RenovationInput(
        id=wf_id, renovation=body, flags=flags, addressee=addressee,
        organisation=OrganisationSnapshot(id=org.id, name=org.name, kind=org.kind, contacts=org.contacts),
        corporation=CorporationSnapshot(name=c.name, email=c.email, phone=c.phone, manager_name=c.manager_name,
                                        manager_email=c.manager_email, signatories=c.signatories),
        owner=StaffMember(name="Sanne Behandelaar", email="sanne@voorbeeldhaven.nl"), register_ref=register)
    state = initial_state(inp)
    return await client.start_workflow(
        RenovationWorkflow.run, inp, id=wf_id, task_queue=settings.task_queue,
        search_attributes=names.search_attributes(state) if with_search_attributes else None,
        memo=names.memo(state))
