"""The renovation panel's legal status, the complex's flags, and who receives the formal advice request.

A renovation panel is one of three things (domain brief section 5):

- ``BC_WOHV``: a bewonerscommissie under the Overlegwet (art. 1 lid 1 g): the residents' own body, with
  the rights of the Wohv; the advice request on the projectplan and sociaal plan goes to it.
- ``KLANTENPANEL`` or ``KLANKBORDGROEP``: consultative only, with none of those rights. The formal advice
  request (Wohv art. 5) then goes to another organisation (Wohv art. 2 lid 2–3): the bewonerscommissie
  of the complex if there is one, otherwise the huurdersorganisatie.

Which organisation covers a complex is read from the organisations file (:class:`Directory`): an entry in
an organisation's ``complexes`` names a complex when, ignoring case, it is the complex's id, or starts with
the id or with "complex <id>" followed by a space, comma, colon or parenthesis. "Complex 301 De Molen
(48 woningen)" names complex ``301``; it does not name ``30``, ``3011`` or ``301-A``.

Pure Python; no I/O.
"""

import re
from enum import StrEnum

from pydantic import BaseModel

from inspraak.domain.households import Complex, Households
from inspraak.domain.organisations import Directory, Organisation, OrganisationKind
from inspraak.domain.vote import MINIMUM_HOMES

# Wohv art. 1 lid 1 c: a wooncomplex is at least 25 units; a bewonerscommissie is one of a wooncomplex
# (art. 1 lid 1 g), so only there does it have the Overlegwet's rights.
WOONCOMPLEX_MINIMUM = 25


class PanelLegalStatus(StrEnum):
    BC_WOHV = "bc_wohv"
    KLANTENPANEL = "klantenpanel"
    KLANKBORDGROEP = "klankbordgroep"

    @property
    def has_wohv_rights(self) -> bool:
        return self is PanelLegalStatus.BC_WOHV


class ComplexFlags(BaseModel):
    """The flags of step B1 (domain brief 7.2), computed once when the renovation starts."""

    homes: int
    # BW 7:220 lid 3: at least 10 homes. Counts the homes in this renovation; whether they form one
    # bouwkundige eenheid is for staff to judge, and the letters say which homes were counted.
    bouwkundige_eenheid_ten_minste_10: bool
    # Wohv art. 1 lid 1 c: at least 25 units (the whole complex's count when given, else the homes here).
    wooncomplex_ten_minste_25: bool


def complex_flags(complex_: Complex, households: Households) -> ComplexFlags:
    """Step B1's flags for ``complex_`` with ``households`` (BW 7:220 lid 3; Wohv art. 1 lid 1 c)."""
    homes = len(households.households)
    units = max(complex_.units_in_complex or 0, homes)
    return ComplexFlags(homes=homes,
                        bouwkundige_eenheid_ten_minste_10=homes >= MINIMUM_HOMES,
                        wooncomplex_ten_minste_25=units >= WOONCOMPLEX_MINIMUM)


def names_complex(entry: str, complex_id: str) -> bool:
    """True when an organisation's ``complexes`` entry names the complex ``complex_id`` (rule above)."""
    pattern = rf"(complex\s+)?{re.escape(complex_id)}(?=$|[\s,:;(])"
    return re.match(pattern, entry.strip(), flags=re.IGNORECASE) is not None


class AddresseeError(ValueError):
    """No organisation can be chosen to receive the advice request; the message says why and what to do."""


class AdviceAddressee(BaseModel):
    """The organisation that receives the formal advice request, and the rule that chose it."""

    organisation_id: str
    kind: OrganisationKind
    article: str
    reason: str


def _covering(directory: Directory, complex_id: str, kinds: set[OrganisationKind]) -> list[Organisation]:
    return [o for o in directory.organisations
            if o.kind in kinds and any(names_complex(c, complex_id) for c in o.complexes)]


def advice_addressee(directory: Directory, complex_: Complex, status: PanelLegalStatus, flags: ComplexFlags,
                     chosen: str | None = None) -> AdviceAddressee:
    """Who receives the advice request on the projectplan and sociaal plan (Wohv art. 2 lid 2–3, art. 5).

    ``chosen`` is the organisation staff named; it is checked against the same rules. Without it the
    organisation follows from the organisations file when that is unambiguous.

    Raises:
        AddresseeError: when no organisation qualifies, or several do and staff must choose.
    """
    bc_kinds = {OrganisationKind.BEWONERSCOMMISSIE}
    ho_kinds = {OrganisationKind.HUURDERSORGANISATIE, OrganisationKind.HUURDERSKOEPEL}
    # Wohv art. 1 lid 1 c and g: a bewonerscommissie has the Overlegwet's rights only in a wooncomplex
    # of at least 25 units.
    bcs = _covering(directory, complex_.id, bc_kinds) if flags.wooncomplex_ten_minste_25 else []
    hos = _covering(directory, complex_.id, ho_kinds)

    if chosen is not None:
        org = directory.get(chosen)
        if org is None:
            raise AddresseeError(f"organisation '{chosen}' is not in the organisations file")
        allowed = bcs if status is PanelLegalStatus.BC_WOHV or bcs else hos
        if org not in allowed:
            raise AddresseeError(_why_not(org, complex_, status, flags, bcs))
        return _addressee(org, status, chosen_by_staff=True)

    if status is PanelLegalStatus.BC_WOHV:
        if not flags.wooncomplex_ten_minste_25:
            raise AddresseeError(
                f"complex {complex_.id} has fewer than {WOONCOMPLEX_MINIMUM} units, so a bewonerscommissie there has "
                "no rights under the Overlegwet (art. 1 lid 1 c and g): record the panel as a klantenpanel or "
                "klankbordgroep, or give the number of units of the whole complex")
        candidates = bcs
        missing = (f"no bewonerscommissie in the organisations file lists complex {complex_.id}: add the panel "
                   "to the file with this complex, then start again")
    else:
        candidates = bcs or hos
        missing = (f"no bewonerscommissie or huurdersorganisatie in the organisations file lists complex "
                   f"{complex_.id}: add it to the 'complexes' of the organisation that speaks for it, or name "
                   "the organisation")
    if not candidates:
        raise AddresseeError(missing)
    if len(candidates) > 1:
        # Wohv art. 2a lid 3 (several bewonerscommissies) and art. 2 lid 1 (several huurdersorganisaties):
        # which one is for the landlord and the organisations to settle, not for this program to guess.
        raise AddresseeError(f"several organisations list complex {complex_.id} ("
                             + ", ".join(o.id for o in candidates) + "): name the one that receives the request")
    return _addressee(candidates[0], status, chosen_by_staff=False)


def _addressee(org: Organisation, status: PanelLegalStatus, chosen_by_staff: bool) -> AdviceAddressee:
    how = "named by staff" if chosen_by_staff else "the only one in the organisations file for this complex"
    if status is PanelLegalStatus.BC_WOHV:
        article, reason = "artikel 1 lid 1 onder g en artikel 5 Wet op het overleg huurders verhuurder", \
            f"the panel is the bewonerscommissie of the complex ({how})"
    elif org.kind is OrganisationKind.BEWONERSCOMMISSIE:
        article, reason = "artikel 2 lid 2 en 3 Wet op het overleg huurders verhuurder", \
            f"a {status.value} has no rights under the Overlegwet; the bewonerscommissie of the complex has ({how})"
    else:
        article, reason = "artikel 2 lid 2 en 3 Wet op het overleg huurders verhuurder", \
            (f"a {status.value} has no rights under the Overlegwet and the complex has no bewonerscommissie; "
             f"the huurdersorganisatie has ({how})")
    return AdviceAddressee(organisation_id=org.id, kind=org.kind, article=article, reason=reason)


def _why_not(org: Organisation, complex_: Complex, status: PanelLegalStatus, flags: ComplexFlags,
             bcs: list[Organisation]) -> str:
    if org.kind is OrganisationKind.BEWONERSCOMMISSIE and not flags.wooncomplex_ten_minste_25:
        return (f"{org.id} is a bewonerscommissie of a complex with fewer than {WOONCOMPLEX_MINIMUM} units: it has "
                "no rights under the Overlegwet (art. 1 lid 1 c and g)")
    if status is PanelLegalStatus.BC_WOHV:
        return f"{org.id} is not a bewonerscommissie listing complex {complex_.id}; the panel is one (art. 1 lid 1 g)"
    if bcs:
        return (f"complex {complex_.id} has a bewonerscommissie ({', '.join(o.id for o in bcs)}): the advice request "
                "goes to it (Wohv art. 2 lid 2–3)")
    return f"{org.id} is not a huurdersorganisatie listing complex {complex_.id} (Wohv art. 2 lid 2–3)"
