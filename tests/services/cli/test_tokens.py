"""``inspraak token``: organisation tokens come from the organisations file, unknown ones are refused."""

import pytest

from inspraak.services.api.auth import Role, TokenVerifier
from inspraak.services.cli.main import main
from inspraak.settings import Settings


def printed_token(capsys: pytest.CaptureFixture[str], *argv: str) -> str:
    assert main(["token", *argv]) == 0
    return capsys.readouterr().out.strip()


def test_an_organisation_token_carries_the_name_and_first_contact_from_the_organisations_file(capsys):
    principal = TokenVerifier(Settings()).verify(printed_token(capsys, "--role", "organisation", "--org",
                                                               "hv-eendracht"))
    assert principal.role == Role.ORGANISATION and principal.organisation_id == "hv-eendracht"
    assert (principal.name, principal.email) == ("Huurdersvereniging Eendracht", "secretaris@hv-eendracht.nl")


def test_an_unknown_organisation_is_refused_with_exit_code_2_naming_the_valid_ids(capsys):
    with pytest.raises(SystemExit) as e:
        main(["token", "--role", "organisation", "--org", "hv-nergens"])
    assert e.value.code == 2
    err = capsys.readouterr().err
    assert "unknown organisation 'hv-nergens'" in err
    assert all(known in err for known in ("hv-eendracht", "sh-de-linde", "bc-de-molen"))


def test_an_organisation_token_needs_an_organisation(capsys):
    with pytest.raises(SystemExit) as e:
        main(["token", "--role", "organisation"])
    assert e.value.code == 2
    assert "--org is required" in capsys.readouterr().err


def test_a_staff_token_keeps_its_defaults(capsys):
    principal = TokenVerifier(Settings()).verify(printed_token(capsys))
    assert (principal.role, principal.name, principal.organisation_id) == (Role.STAFF, "Sanne Behandelaar", None)


def test_more_days_than_a_token_may_live_are_refused(capsys):
    with pytest.raises(SystemExit) as e:
        main(["token", "--days", "32"])
    assert e.value.code == 2
    assert "INSPRAAK_TOKEN_MAX_LIFETIME_DAYS" in capsys.readouterr().err


@pytest.mark.parametrize("command", ["api", "worker"])
def test_api_and_worker_refuse_to_start_in_production_with_the_default_secret(command, capsys, monkeypatch):
    monkeypatch.setenv("INSPRAAK_ENVIRONMENT", "production")
    assert main([command]) == 2
    assert "INSPRAAK_JWT_SECRET" in capsys.readouterr().err


def test_the_api_refuses_to_start_with_a_broken_organisations_file(capsys, monkeypatch, tmp_path):
    broken = tmp_path / "organisations.toml"
    broken.write_text("[corporation]\nname = 1\n", encoding="utf-8")
    monkeypatch.setenv("INSPRAAK_ORGANISATIONS_FILE", str(broken))
    assert main(["api"]) == 2
    assert "corporation.name" in capsys.readouterr().err
