"""The embedded default's data folder: a folder of an older generation is refused with the way out."""

from pathlib import Path

import pytest

from inspraak.services.cli.devstack import DATA_GENERATION, check_data_generation, local_settings
from inspraak.settings import Settings


def test_a_new_data_folder_is_marked_with_this_generation(tmp_path: Path) -> None:
    check_data_generation(tmp_path)
    assert (tmp_path / ".inspraak-generation").read_text().strip() == DATA_GENERATION


def test_a_data_folder_of_an_older_generation_is_refused_naming_the_way_out(tmp_path: Path) -> None:
    (tmp_path / "temporal.db").write_bytes(b"")
    with pytest.raises(SystemExit, match="rm -rf"):
        check_data_generation(tmp_path)


def test_the_embedded_default_documents_its_own_http_address() -> None:
    settings = local_settings(Settings(api_host="127.0.0.1", api_port=8123))
    assert settings.api_public_url == "http://127.0.0.1:8123"


def test_a_public_url_that_was_set_is_kept_by_the_embedded_default() -> None:
    settings = local_settings(Settings(api_public_url="https://inspraak.example.nl", api_port=8123))
    assert settings.api_public_url == "https://inspraak.example.nl"


def test_the_banner_prints_a_portal_login_link_for_staff(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from urllib.parse import parse_qs, urlsplit

    from inspraak.activities.storage import LocalDocumentStore
    from inspraak.services.api.auth import Role
    from inspraak.services.cli.devstack import _print_banner
    from inspraak.services.directory import load_directory
    from inspraak.services.portal.sessions import Sessions

    settings = local_settings(Settings(data_dir=tmp_path))
    sessions = Sessions(settings, LocalDocumentStore(tmp_path))
    _print_banner(settings, 8233, load_directory(settings.organisations_file), sessions)
    links = [line.split()[-1] for line in capsys.readouterr().out.splitlines() if "/portaal/inloggen/link" in line]
    assert len(links) == 2 and links[0].startswith("http://127.0.0.1:8000/portaal/inloggen/link?t=")
    link = sessions.read_link(parse_qs(urlsplit(links[0]).query)["t"][0])
    assert link is not None and link.role == Role.STAFF
