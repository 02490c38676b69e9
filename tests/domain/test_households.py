"""The households of a renovation and their CSV import: each rule of the format has its test."""

from decimal import Decimal

import pytest
from pydantic import ValidationError

from inspraak.domain.households import (
    MAX_HOUSEHOLDS,
    Household,
    HouseholdImportError,
    Households,
    RowError,
    parse_households,
)

HEADER = "eenheid;adres;huurder;medehuurder;contractnummer;huur;email;telefoon"
ROW_1 = "101-001;Molenweg 1, 1236 EF Voorbeeldstad;J. de Boer;A. de Boer-Smit;HO-2019-0031;812,50;jdb@example.nl;"
ROW_2 = "101-002;Molenweg 3, 1236 EF Voorbeeldstad;F. El Amrani;;HO-2021-0107;745,10;;06 12345678"


def errors_of(text: str) -> list[RowError]:
    with pytest.raises(HouseholdImportError) as e:
        parse_households(text)
    return e.value.errors


def codes(text: str) -> list[tuple[int, str, str]]:
    return [(e.row, e.column, e.code) for e in errors_of(text)]


def test_a_dutch_excel_file_is_read_with_its_fields() -> None:
    households = parse_households("\n".join([HEADER, ROW_1, ROW_2]) + "\n").households
    assert [h.unit_id for h in households] == ["101-001", "101-002"]
    first, second = households
    assert first.co_tenant_name == "A. de Boer-Smit"
    assert first.current_rent == Decimal("812.50")
    assert first.email == "jdb@example.nl" and first.phone is None
    assert second.co_tenant_name is None and second.email is None and second.phone == "06 12345678"


def test_a_byte_order_mark_is_ignored() -> None:
    assert len(parse_households("\ufeff" + HEADER + "\r\n" + ROW_1 + "\r\n").households) == 1


def test_a_comma_separated_file_with_english_names_in_another_order_is_read() -> None:
    text = ("Contract_Number,unit_id,address,tenant_name,current_rent\n"
            'C-1,U1,"Dorpsstraat 1, Ergens",Jan,"812,50"\n'
            "C-2,U2,Dorpsstraat 3,Piet,700.25\n")
    households = parse_households(text).households
    assert [(h.unit_id, h.contract_number, h.current_rent) for h in households] == [
        ("U1", "C-1", Decimal("812.50")), ("U2", "C-2", Decimal("700.25"))]
    assert households[0].address == "Dorpsstraat 1, Ergens"


@pytest.mark.parametrize(("written", "euros"), [
    ("812,50", "812.50"), ("812", "812"), ("1.234,56", "1234.56"), ("€ 812,50", "812.50"),
    ("812.5", "812.5"), ("1.234", "1234")])
def test_rents_are_read_with_the_dutch_decimal_comma(written: str, euros: str) -> None:
    row = f"U1;Adres 1;Jan;;C1;{written};;"
    assert parse_households(HEADER + "\n" + row).households[0].current_rent == Decimal(euros)


@pytest.mark.parametrize("written", ["812,505", "1.23.4", "acht", "-12,00", "0", "10000,01", "1,234.56"])
def test_a_rent_that_is_no_amount_in_euros_or_out_of_bounds_is_refused(written: str) -> None:
    row = f"U1;Adres 1;Jan;;C1;{written};;"
    [(row_no, column, code)] = codes(HEADER + "\n" + row)
    assert (row_no, column) == (2, "huur")
    assert code in {"rent_format", "greater_than", "less_than_equal"}


def test_an_empty_file_is_refused() -> None:
    assert codes("") == [(0, "", "empty_file")]
    assert codes("\ufeff\n  \n") == [(0, "", "empty_file")]


def test_a_file_with_only_a_header_is_refused() -> None:
    assert codes(HEADER + "\n") == [(0, "", "no_households")]


def test_a_missing_required_column_is_named() -> None:
    assert codes("eenheid;adres;huurder;huur\nU1;A;J;800\n") == [(1, "contractnummer", "missing_column")]


def test_an_unknown_or_repeated_column_is_refused() -> None:
    text = "eenheid;adres;huurder;contractnummer;huur;emial;unit_id\nU1;A;J;C;800;x;U1\n"
    assert codes(text) == [(1, "emial", "unknown_column"), (1, "unit_id", "duplicate_column")]


def test_every_bad_row_is_listed_with_row_column_and_rule_and_nothing_is_imported() -> None:
    text = "\n".join([
        HEADER,
        ROW_1,
        "101-003;Molenweg 5;;;HO-3;800,00;geen-mail;",  # row 3: no tenant, bad e-mail
        "101-004;Molenweg 7;K. Jansen;;HO-4;veel;;",  # row 4: rent
        ROW_2,
        "101-006;Molenweg 11;L. Smit;;HO 6;700,00;;",  # row 6: contract number with a space
    ])
    assert codes(text) == [(3, "huurder", "missing"), (3, "email", "value_error"), (4, "huur", "rent_format"),
                           (6, "contractnummer", "string_pattern_mismatch")]


def test_a_duplicate_unit_id_is_refused_naming_the_first_row() -> None:
    text = "\n".join([HEADER, ROW_1, ROW_2, "101-001;Molenweg 9;X;;HO-9;700,00;;"])
    [error] = errors_of(text)
    assert (error.row, error.column, error.code) == (4, "eenheid", "duplicate_unit_id")
    assert "row 2" in error.message


def test_a_duplicate_contract_number_is_refused_also_in_other_case() -> None:
    text = "\n".join([HEADER, ROW_1, "101-009;Molenweg 9;X;;ho-2019-0031;700,00;;"])
    assert codes(text) == [(3, "contractnummer", "duplicate_contract_number")]


def test_an_invalid_email_is_refused() -> None:
    assert codes(HEADER + "\nU1;A;J;;C1;800;jan@;\n") == [(2, "email", "value_error")]


def test_a_control_character_in_a_name_is_refused() -> None:
    assert codes(HEADER + "\nU1;A;J\x07an;;C1;800;;\n") == [(2, "huurder", "control_character")]


def test_too_long_a_name_is_refused() -> None:
    assert codes(HEADER + f"\nU1;A;{'J' * 201};;C1;800;;\n") == [(2, "huurder", "too_long")]


def test_a_row_with_more_fields_than_the_header_is_refused_with_a_hint_about_the_comma() -> None:
    [error] = errors_of("eenheid,adres,huurder,contractnummer,huur\nU1,A,J,C1,812,50\n")
    assert (error.row, error.code) == (2, "too_many_fields")
    assert '"812,50"' in error.message


def test_blank_rows_are_skipped_and_rows_keep_their_spreadsheet_numbers() -> None:
    assert codes("\n".join([HEADER, "", ROW_1, ";;;;;;;", "U9;A;;;C9;800;;", "", ""])) == [
        (5, "huurder", "missing")]


def test_more_than_2000_rows_are_refused() -> None:
    rows = [f"U{n};Straat {n};Huurder {n};;C{n};700,00;;" for n in range(MAX_HOUSEHOLDS + 1)]
    assert codes("\n".join([HEADER, *rows])) == [(0, "", "too_many_rows")]


def test_a_thousand_households_are_imported() -> None:
    rows = [f"U{n:04d};Straat {n}, 1234 AB Stad;Huurder {n};Medehuurder {n};C-{n:04d};{700 + n % 90},{n % 100:02d};"
            f"h{n}@example.nl;06 {n:08d}" for n in range(1000)]
    households = parse_households("\ufeff" + "\r\n".join([HEADER, *rows]) + "\r\n").households
    assert len(households) == 1000
    assert households[999].current_rent == Decimal("709.99")


def test_the_households_model_refuses_duplicates_given_through_the_api_too() -> None:
    h = Household(unit_id="U1", address="A", tenant_name="J", contract_number="C1", current_rent=Decimal("800"))
    with pytest.raises(ValidationError, match="unit id U1"):
        Households(households=[h, h.model_copy(update={"contract_number": "C2"})])


def test_the_error_message_lists_the_errors() -> None:
    with pytest.raises(HouseholdImportError, match=r"row 2, huurder: is required \(missing\)"):
        parse_households(HEADER + "\nU1;A;;;C1;800;;\n")
