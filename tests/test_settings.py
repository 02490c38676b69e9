"""Settings at start: production refuses development secrets; each wrong value is named with its variable."""

import pytest
from pydantic import SecretStr

from inspraak.services.api.app import create_app
from inspraak.settings import Settings, UnsafeSettingsError, load_settings

SECRET = SecretStr("a-long-random-secret-for-production-use-only-0123456789")
REPLY_KEY = SecretStr("another-long-random-secret-for-reply-codes-0123456789")
PUBLIC = "https://inspraak.woonstichting.nl"


def test_development_starts_with_the_default_secret() -> None:
    Settings().check_production()


def test_production_with_the_default_secret_names_inspraak_jwt_secret(tmp_path) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(UnsafeSettingsError, match="INSPRAAK_JWT_SECRET"):
        create_app(Settings(environment="production", data_dir=tmp_path))


def test_production_with_default_s3_credentials_is_refused() -> None:
    settings = Settings(environment="production", jwt_secret=SECRET, storage_backend="s3")
    with pytest.raises(UnsafeSettingsError, match="INSPRAAK_S3_ACCESS_KEY"):
        settings.check_production()


def test_production_with_own_secrets_starts(tmp_path) -> None:  # type: ignore[no-untyped-def]
    create_app(Settings(environment="production", jwt_secret=SECRET, reply_code_key=REPLY_KEY, data_dir=tmp_path,
                        api_public_url=PUBLIC))

def test_each_wrong_setting_is_named_with_its_variable_and_nothing_starts(monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setenv("INSPRAAK_API_PORT", "eighty")
    monkeypatch.setenv("INSPRAAK_STORAGE_BACKEND", "floppy")
    with pytest.raises(SystemExit) as e:
        load_settings()
    message = str(e.value)
    assert "nothing was started" in message
    assert "INSPRAAK_API_PORT" in message and "'eighty'" in message
    assert "INSPRAAK_STORAGE_BACKEND" in message and "'floppy'" in message


def test_logs_are_json_in_production_and_text_in_development() -> None:
    assert Settings(environment="production").effective_log_format == "json"
    assert Settings().effective_log_format == "text"
    assert Settings(environment="production", log_format="text").effective_log_format == "text"


def test_the_standard_otel_endpoint_variable_is_read_and_inspraak_s_own_wins(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("OTEL_EXPORTER_OTLP_ENDPOINT", "http://collector:4318")
    assert Settings().otel_exporter_otlp_endpoint == "http://collector:4318"
    monkeypatch.setenv("INSPRAAK_OTEL_EXPORTER_OTLP_ENDPOINT", "http://own:4318")
    assert Settings().otel_exporter_otlp_endpoint == "http://own:4318"


def test_tracing_is_off_in_the_embedded_default() -> None:
    from inspraak.services import telemetry

    assert not telemetry.tracing_enabled(Settings())
    assert telemetry.setup_tracing(Settings(), "test") is None
    assert telemetry.temporal_interceptors() == []



def test_production_with_the_default_reply_code_key_is_refused(tmp_path) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(UnsafeSettingsError, match="INSPRAAK_REPLY_CODE_KEY"):
        create_app(Settings(environment="production", jwt_secret=SECRET, data_dir=tmp_path))


def test_production_refuses_an_identity_provider_without_secret_or_https() -> None:
    own = {"environment": "production", "jwt_secret": SECRET, "reply_code_key": SECRET, "api_public_url": PUBLIC}
    problems = Settings(**own, oidc_issuer="http://login.example.nl").production_problems()
    assert any("INSPRAAK_OIDC_CLIENT_SECRET" in p for p in problems)
    assert any("https://" in p for p in problems)
    assert Settings(**own, oidc_issuer="https://login.example.nl", oidc_client_secret="s").production_problems() == []


def test_production_refuses_the_example_public_address_or_one_without_tls() -> None:
    """Letters print it for households to type their reply code: it must be the corporation's own, over https."""
    own = {"environment": "production", "jwt_secret": SECRET, "reply_code_key": SECRET}
    assert any("INSPRAAK_API_PUBLIC_URL is the example" in p for p in Settings(**own).production_problems())
    problems = Settings(**own, api_public_url="http://inspraak.woonstichting.nl",
                        reply_url="http://antwoord.woonstichting.nl").production_problems()
    assert any("INSPRAAK_API_PUBLIC_URL must be an https://" in p for p in problems)
    assert any("INSPRAAK_REPLY_URL must be an https://" in p for p in problems)
    assert Settings(**own, api_public_url=PUBLIC).production_problems() == []
