"""The panel's legal status, the flags of step B1, and who receives the advice request (Wohv art. 2)."""

import tomllib
from decimal import Decimal
from pathlib import Path

import pytest

from inspraak.domain.households import Complex, Household, Households
from inspraak.domain.organisations import Directory, OrganisationKind
from inspraak.domain.panel import (
    WOONCOMPLEX_MINIMUM,
    AddresseeError,
    ComplexFlags,
    PanelLegalStatus,
    advice_addressee,
    complex_flags,
    names_complex,
)

DEMO = Path(__file__).resolve().parents[2] / "demo" / "organisations.toml"
DIRECTORY = Directory.model_validate(tomllib.loads(DEMO.read_text(encoding="utf-8")))
MOLEN = Complex(id="301", name="De Molen", address="Molenweg, Voorbeeldstad")  # has bc-de-molen
VISSERSBUURT = Complex(id="101", name="Vissersbuurt", address="Vissersbuurt")  # hv-eendracht only
BIG = ComplexFlags(homes=48, bouwkundige_eenheid_ten_minste_10=True, wooncomplex_ten_minste_25=True)
SMALL = ComplexFlags(homes=12, bouwkundige_eenheid_ten_minste_10=True, wooncomplex_ten_minste_25=False)


def homes(n: int) -> Households:
    return Households(households=[
        Household(unit_id=f"U{i}", address=f"A {i}", tenant_name="T", contract_number=f"C{i}",
                  current_rent=Decimal("700")) for i in range(n)])


def test_ten_homes_form_the_minimum_for_the_70_percent_rule_bw_7_220_lid_3() -> None:
    assert complex_flags(MOLEN, homes(10)).bouwkundige_eenheid_ten_minste_10
    assert not complex_flags(MOLEN, homes(9)).bouwkundige_eenheid_ten_minste_10


def test_a_wooncomplex_has_at_least_25_units_wohv_art_1_lid_1_c() -> None:
    assert WOONCOMPLEX_MINIMUM == 25
    assert complex_flags(MOLEN, homes(25)).wooncomplex_ten_minste_25
    assert not complex_flags(MOLEN, homes(24)).wooncomplex_ten_minste_25


def test_the_whole_complex_counts_for_the_wooncomplex_when_given_wohv_art_1_lid_1_c() -> None:
    flags = complex_flags(MOLEN.model_copy(update={"units_in_complex": 48}), homes(12))
    assert (flags.homes, flags.wooncomplex_ten_minste_25) == (12, True)


@pytest.mark.parametrize(("entry", "names"), [
    ("Complex 301 De Molen (48 woningen)", True), ("301", True), ("complex 301", True), ("301, Molenweg", True),
    ("301-A", False), ("Complex 3011", False), ("Complex 30", False), ("De Molen 301", False)])
def test_an_organisations_complexes_entry_names_a_complex_by_its_id(entry: str, names: bool) -> None:
    assert names_complex(entry, "301") is names


def test_a_bc_under_the_wohv_receives_the_advice_itself_wohv_art_1_lid_1_g() -> None:
    a = advice_addressee(DIRECTORY, MOLEN, PanelLegalStatus.BC_WOHV, BIG)
    assert (a.organisation_id, a.kind) == ("bc-de-molen", OrganisationKind.BEWONERSCOMMISSIE)


def test_a_bc_in_a_complex_under_25_units_has_no_wohv_rights_wohv_art_1_lid_1_c() -> None:
    with pytest.raises(AddresseeError, match="fewer than 25"):
        advice_addressee(DIRECTORY, MOLEN, PanelLegalStatus.BC_WOHV, SMALL)


def test_for_a_klantenpanel_the_advice_goes_to_the_complexs_bc_wohv_art_2_lid_2_3() -> None:
    a = advice_addressee(DIRECTORY, MOLEN, PanelLegalStatus.KLANTENPANEL, BIG)
    assert a.organisation_id == "bc-de-molen"
    assert "artikel 2 lid 2 en 3" in a.article


def test_for_a_klankbordgroep_without_a_bc_the_advice_goes_to_the_ho_wohv_art_2_lid_2_3() -> None:
    a = advice_addressee(DIRECTORY, VISSERSBUURT, PanelLegalStatus.KLANKBORDGROEP, BIG)
    assert (a.organisation_id, a.kind) == ("hv-eendracht", OrganisationKind.HUURDERSORGANISATIE)


def test_a_bc_of_a_small_complex_is_passed_over_for_the_ho_wohv_art_2_lid_2_3() -> None:
    directory = DIRECTORY.model_copy(deep=True)
    directory.organisations[0].complexes.append("Complex 301")  # hv-eendracht also speaks for 301
    a = advice_addressee(directory, MOLEN, PanelLegalStatus.KLANTENPANEL, SMALL)
    assert a.organisation_id == "hv-eendracht"


def test_without_any_organisation_for_the_complex_it_says_what_to_do_wohv_art_2_lid_2_3() -> None:
    unknown = Complex(id="999", name="Nergens", address="Nergens")
    with pytest.raises(AddresseeError, match="no bewonerscommissie or huurdersorganisatie.*lists complex 999"):
        advice_addressee(DIRECTORY, unknown, PanelLegalStatus.KLANTENPANEL, BIG)


def test_several_candidates_must_be_chosen_by_staff_wohv_art_2_lid_1() -> None:
    directory = DIRECTORY.model_copy(deep=True)
    directory.organisations[1].complexes.append("Complex 101")
    with pytest.raises(AddresseeError, match="several organisations.*hv-eendracht, sh-de-linde"):
        advice_addressee(directory, VISSERSBUURT, PanelLegalStatus.KLANTENPANEL, BIG)
    a = advice_addressee(directory, VISSERSBUURT, PanelLegalStatus.KLANTENPANEL, BIG, chosen="sh-de-linde")
    assert a.organisation_id == "sh-de-linde" and "named by staff" in a.reason


def test_staff_cannot_name_the_ho_when_the_complex_has_a_bc_wohv_art_2_lid_2_3() -> None:
    directory = DIRECTORY.model_copy(deep=True)
    directory.organisations[0].complexes.append("Complex 301")
    with pytest.raises(AddresseeError, match="has a bewonerscommissie"):
        advice_addressee(directory, MOLEN, PanelLegalStatus.KLANTENPANEL, BIG, chosen="hv-eendracht")


def test_staff_cannot_name_an_unknown_organisation() -> None:
    with pytest.raises(AddresseeError, match="not in the organisations file"):
        advice_addressee(DIRECTORY, MOLEN, PanelLegalStatus.KLANTENPANEL, BIG, chosen="nobody")


def test_only_a_bc_under_the_wohv_has_its_rights_domain_brief_5() -> None:
    assert [s.has_wohv_rights for s in PanelLegalStatus] == [True, False, False]
