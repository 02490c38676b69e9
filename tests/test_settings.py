"""Production refuses to start with development secrets; development starts with anything."""

import pytest
from pydantic import SecretStr

from inspraak.services.api.app import create_app
from inspraak.settings import Settings, UnsafeSettingsError

SECRET = SecretStr("a-long-random-secret-for-production-use-only-0123456789")
REPLY_KEY = SecretStr("another-long-random-secret-for-reply-codes-0123456789")


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
    create_app(Settings(environment="production", jwt_secret=SECRET, reply_code_key=REPLY_KEY, data_dir=tmp_path))


def test_production_with_the_default_reply_code_key_is_refused(tmp_path) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(UnsafeSettingsError, match="INSPRAAK_REPLY_CODE_KEY"):
        create_app(Settings(environment="production", jwt_secret=SECRET, data_dir=tmp_path))
