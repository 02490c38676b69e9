"""What the advice letters say, as built from the trajectory's state."""

from inspraak.domain.advice_letters import GROUNDS_NL


def test_grounds_say_u_hebt_as_every_letter_does() -> None:
    for text in GROUNDS_NL.values():
        assert "u heeft" not in text


def test_grounds_cite_their_article_as_the_templates_do() -> None:
    for text in GROUNDS_NL.values():
        assert "Wohv)" in text and " sub " not in text
