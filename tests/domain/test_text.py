"""One-line and multi-line text, and dates in range: the types every input model uses."""

from datetime import date

import pytest
from pydantic import BaseModel, Field, ValidationError

from inspraak.domain.advice_actions import AdvicePoint, AdviceReceived, Attachment, DecisionTaken, NewAdviceRequest
from inspraak.domain.text import Day, MultiLine, OneLine, one_line_safe


class Sample(BaseModel):
    title: OneLine = Field(max_length=20)
    text: MultiLine = Field(min_length=1, max_length=20)
    day: Day = date(2027, 1, 1)


def codes(e: pytest.ExceptionInfo[ValidationError]) -> list[tuple[tuple[object, ...], str]]:
    return [(err["loc"], err["type"]) for err in e.value.errors()]


def request(**changes: object) -> dict[str, object]:
    return {"organisation_id": "hv-eendracht", "subject": "Nieuw onderhoudsbeleid", "category": "a",
            "intention": "Voornemen.", "reasons": "Redenen.", "consequences": "Gevolgen.",
            "information_provided_on": "2027-01-04"} | changes


@pytest.mark.parametrize("char", ["\n", "\r", "\t", "\x00", "\x07", "\x0b", "\x0c", "\x7f", "\x85", "\u2028",
                                  "\u2029"])
def test_a_one_line_field_refuses_a_control_character_or_line_separator(char: str) -> None:
    with pytest.raises(ValidationError) as e:
        Sample(title=f"Onder{char}werp", text="x")
    assert codes(e) == [(("title",), "control_character")]


def test_a_one_line_field_keeps_ordinary_unicode() -> None:
    assert Sample(title="Één café – ‘t Hof", text="x").title == "Één café – ‘t Hof"


def test_a_multi_line_field_keeps_line_breaks_as_lf_and_tabs() -> None:
    assert Sample(title="t", text="a\r\nb\rc\u2028d\te").text == "a\nb\nc\nd\te"


def test_a_multi_line_field_drops_other_control_characters() -> None:
    assert Sample(title="t", text="a\x07b\x0cc\x0bd\x00e\x1b").text == "abcde"


def test_a_multi_line_field_of_only_control_characters_is_empty_and_refused() -> None:
    with pytest.raises(ValidationError) as e:
        Sample(title="t", text="\x07\x0c")
    assert codes(e) == [(("text",), "string_too_short")]


@pytest.mark.parametrize("day", [date(1969, 12, 31), date(1900, 1, 1), date(2101, 1, 1), date(1, 1, 1)])
def test_a_date_outside_1970_2100_is_refused(day: date) -> None:
    with pytest.raises(ValidationError) as e:
        Sample(title="t", text="x", day=day)
    assert codes(e) == [(("day",), "date_out_of_range")]


@pytest.mark.parametrize("day", [date(1970, 1, 1), date(2100, 12, 31)])
def test_the_first_and_last_day_are_accepted(day: date) -> None:
    assert Sample(title="t", text="x", day=day).day == day


def test_one_line_safe_replaces_every_control_character() -> None:
    assert one_line_safe("a\r\nb\x00c\u2028d") == "a  b c d"


def test_a_subject_with_a_newline_is_refused_naming_the_field() -> None:
    with pytest.raises(ValidationError) as e:
        NewAdviceRequest.model_validate(request(subject="Onderhoud\nBcc: iedereen@example.org"))
    assert codes(e) == [(("subject",), "control_character")]


def test_a_complex_with_a_vertical_tab_is_refused_naming_its_place() -> None:
    with pytest.raises(ValidationError) as e:
        NewAdviceRequest.model_validate(request(complexes=["Complex 101", "Complex\x0b102"]))
    assert codes(e) == [(("complexes", 1), "control_character")]


def test_an_attachment_title_with_u2028_is_refused() -> None:
    with pytest.raises(ValidationError) as e:
        Attachment(title="Bijlage\u2028A")
    assert codes(e) == [(("title",), "control_character")]


def test_the_intention_keeps_its_paragraphs_and_loses_a_form_feed() -> None:
    r = NewAdviceRequest.model_validate(request(intention="Eerste alinea.\r\n\r\nTweede\x0c alinea.\x07"))
    assert r.intention == "Eerste alinea.\n\nTweede alinea."


def test_an_advice_point_summary_drops_bel() -> None:
    assert AdvicePoint(summary="Meer\x07 groen").summary == "Meer groen"


def test_a_request_before_1970_is_refused() -> None:
    with pytest.raises(ValidationError) as e:
        NewAdviceRequest.model_validate(request(information_provided_on="1936-05-01"))
    assert codes(e) == [(("information_provided_on",), "date_out_of_range")]


def test_more_advice_points_than_the_limit_are_refused() -> None:
    with pytest.raises(ValidationError) as e:
        AdviceReceived(received_on=date(2027, 1, 1), points=[AdvicePoint(summary="p")] * 51)
    assert codes(e) == [(("points",), "too_long")]


def test_more_decisions_than_the_limit_are_refused() -> None:
    with pytest.raises(ValidationError) as e:
        DecisionTaken.model_validate({"decision": "followed", "points": [{"adopted": "ja"}] * 51})
    assert ("points",) in [loc for loc, _ in codes(e)]


def test_every_text_and_list_of_a_request_has_a_bound_in_its_schema() -> None:
    unbounded = []

    def walk(schema: dict, path: str, defs: dict) -> None:
        if "$ref" in schema:
            walk(defs[schema["$ref"].split("/")[-1]], path, defs)
        for option in schema.get("anyOf", []):
            walk(option, path, defs)
        if schema.get("type") == "string" and "format" not in schema and "enum" not in schema \
                and "maxLength" not in schema:
            unbounded.append(path)
        if schema.get("type") == "array":
            if "maxItems" not in schema:
                unbounded.append(path)
            walk(schema["items"], path + "[]", defs)
        for name, sub in schema.get("properties", {}).items():
            walk(sub, f"{path}.{name}", defs)

    for model in (NewAdviceRequest, AdviceReceived, DecisionTaken):
        schema = model.model_json_schema()
        walk(schema, model.__name__, schema.get("$defs", {}))
    assert unbounded == []
