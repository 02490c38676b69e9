"""Settings, read from the environment (prefix ``INSPRAAK_``) once, in a composition root.

Nothing reads the environment at import time: ``Settings()`` is built by the CLI, the worker's main or
``create_app``'s caller and handed down.
"""

from datetime import date, time
from pathlib import Path
from typing import Annotated, Literal

from pydantic import AliasChoices, Field, SecretStr, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from inspraak.domain.terms import TermPolicy

REPO_ROOT = Path(__file__).resolve().parents[1]


DEFAULT_JWT_SECRET = "inspraak-local-development-secret-change-me"
DEFAULT_PUBLIC_URL = "https://inspraak.voorbeeldhaven.nl"
DEFAULT_REPLY_CODE_KEY = "inspraak-local-development-reply-code-key-change-me"
DEFAULT_S3_ACCESS_KEY = "minioadmin"
DEFAULT_S3_SECRET_KEY = "minioadmin"


class UnsafeSettingsError(Exception):
    """Settings that may serve development but never production; the message names each one."""


class Settings(BaseSettings):
    # populate_by_name: a field with an alias (the standard OTEL_ variable) is still set by its own name in code.
    model_config = SettingsConfigDict(env_prefix="INSPRAAK_", env_nested_delimiter="__", extra="ignore",
                                      populate_by_name=True)

    # "production" refuses to start with the development defaults of secrets (see check_production).
    environment: Literal["development", "production"] = "development"

    # Temporal
    temporal_address: str = "localhost:7233"
    temporal_namespace: str = "default"
    task_queue: str = "inspraak"
    # The API's deadline for a query, the acceptance of an update, or a start: past it, a 503 with Retry-After.
    temporal_rpc_timeout_seconds: float = Field(default=5, gt=0, le=60)
    # The time-skipping test server rejects custom search attributes; switch them off there.
    search_attributes: bool = True
    # A payload larger than this (long texts people write) is kept in the document store, Temporal keeps its key.
    payload_inline_bytes: int = Field(default=64 * 1024, ge=1024)
    # Continue a trajectory as new past this many history events (and when the server suggests it); 0: only on
    # its suggestion. A 1,000-home renovation stays far below 10,000 events a run with 2,000 (docs/scale.md).
    continue_as_new_after_events: int = Field(default=2_000, ge=0)
    # A letter that cannot be stored this long (the object store is down) is reported to its trajectory's
    # owner; it keeps waiting and goes out when the store is back.
    letter_delay_alert_minutes: int = Field(default=15, ge=1)
    # How long a closed or stopped renovation keeps its tenants' personal data before staff may erase it
    # (AVG art. 5 lid 1 e; the reasoning for the default is in docs/renovation-works.md).
    personal_data_retention_months: int = Field(default=24, ge=0, le=120)

    # Where the embedded default keeps its state (Temporal's SQLite file, documents, outbox).
    data_dir: Path = Path("data")
    organisations_file: Path = REPO_ROOT / "demo" / "organisations.toml"
    templates_dir: Path = REPO_ROOT / "templates"
    # An installation's own templates: <type>.docx in this folder replaces the built-in one ...
    templates_override_dir: Path | None = None
    # ... and <prefix><type>.docx in the document store replaces both (no redeploy to change a letter).
    templates_override_prefix: str | None = None

    # Documents
    storage_backend: Literal["local", "s3"] = "local"
    storage_dir: Path | None = None  # default: <data_dir>/documents
    s3_endpoint: str = "localhost:9000"
    s3_access_key: str = DEFAULT_S3_ACCESS_KEY
    s3_secret_key: SecretStr = SecretStr(DEFAULT_S3_SECRET_KEY)
    s3_bucket: str = "inspraak-documents"
    s3_region: str | None = None
    s3_secure: bool = False

    # Mail
    mail_backend: Literal["outbox", "smtp"] = "outbox"
    outbox_dir: Path | None = None  # default: <data_dir>/outbox
    # Without a display name, the corporation's name from the organisations file is put before it.
    mail_from: str = "inspraak@voorbeeldhaven.nl"
    smtp_host: str = "localhost"
    smtp_port: int = 25
    smtp_username: str | None = None
    smtp_password: SecretStr | None = None
    smtp_starttls: bool = False
    # Where each mail's send record is kept (at most once per Message-ID); shared by all workers.
    mail_ledger_path: Path | None = None  # default: <data_dir>/mail-ledger

    # Auth: "local" signs and verifies with jwt_secret (embedded default); "jwks" verifies tokens of
    # an external issuer against its JWKS; "public_key" against one PEM public key (RS256 or EdDSA).
    auth_mode: Literal["local", "jwks", "public_key"] = "local"
    jwt_secret: SecretStr = SecretStr(DEFAULT_JWT_SECRET)
    # Derives every household's reply code (HMAC, domain/vote.py); the API and the worker share it. Never
    # in workflow input or state. At least 32 bytes.
    reply_code_key: SecretStr = Field(default=SecretStr(DEFAULT_REPLY_CODE_KEY), min_length=32)
    # A wrong reply code slows the answer down by this many seconds per earlier wrong try from the same client
    # address or for the same renovation, whichever has more (at most reply_code_max_delay_seconds; counted per
    # API process, forgotten after a quarter of an hour without wrong tries: services/api/reply_codes.py).
    reply_code_delay_seconds: float = Field(default=0.5, ge=0, le=10)
    reply_code_max_delay_seconds: float = Field(default=5.0, ge=0, le=60)
    # Where households answer with their code, without the renovation's id (the letter prints
    # <this>/<renovation id>). Unset: the portal's own page, <api_public_url>/portaal/antwoord.
    reply_url: str | None = Field(default=None, max_length=160)
    # A household's session after its reply code (docs/portal-households.md) lasts this long.
    portal_household_minutes: int = Field(default=30, ge=5, le=24 * 60)
    # The minimum moving allowance table (BW 7:220 lid 5-6), updated by staff every year.
    moving_allowance_file: Path = REPO_ROOT / "demo" / "moving_allowance.toml"
    jwt_issuer: str = "inspraak-local"
    jwt_audience: str = "inspraak"
    jwks_url: str | None = None
    jwt_public_key: str | None = None  # PEM, for auth_mode public_key
    # A token may live at most this long (exp - iat); `inspraak token --days` keeps to it too.
    token_max_lifetime_days: int = Field(default=31, ge=1, le=366)

    # API
    api_host: str = "127.0.0.1"
    api_port: int = 8000
    # A request body over this many bytes is a 413 before anything parses it. The largest valid body (a
    # decision on 50 points) is about 316 KB even at 4 bytes a character: see domain/advice.py.
    max_body_bytes: int = Field(default=1_048_576, ge=1024)
    # Where clients reach the API (https, as the NL API Design Rules ask), without the /v1: the OpenAPI
    # document's `servers` entry is this plus /v1. The default is the demo corporation's; `inspraak dev`
    # puts its own http://api_host:api_port here unless this is set.
    api_public_url: str = DEFAULT_PUBLIC_URL
    # The OpenAPI document's info.contact: who answers questions about this API.
    api_contact_name: str = "Inspraak, Woonstichting De Voorbeeldhaven"
    api_contact_email: str = "inspraak@voorbeeldhaven.nl"
    api_contact_url: str = "https://inspraak.voorbeeldhaven.nl/docs"

    # Portal (docs/portal.md): a session lasts this long; a login link works once, within this many minutes.
    portal_session_hours: int = Field(default=8, ge=1, le=24 * 7)
    portal_login_link_minutes: int = Field(default=15, ge=1, le=24 * 60)
    # At most this many login links per address per hour (per API process); more asks get the same page, no mail.
    portal_login_links_per_hour: int = Field(default=10, ge=1)
    # Staff log in with the corporation's identity provider (OpenID Connect, authorization code flow with PKCE):
    # its issuer URL (discovery at <issuer>/.well-known/openid-configuration), this client's id and secret. Whoever
    # it logs in is staff; a manager when this group is in the ID token's `groups` or `roles` claim.
    oidc_issuer: str | None = None
    oidc_client_id: str = "inspraak"
    oidc_client_secret: SecretStr | None = None
    oidc_manager_group: str = "inspraak-managers"
    # Cookies are Secure (sent over https only; browsers treat http://localhost and 127.0.0.1 as secure too).
    portal_cookie_secure: bool = True
    # The calendar feed (docs/portal-calendar.md): reminders this many days before a term's last day (at
    # terms_reminder_time; 0 is the last day itself), and only terms whose last day is at most this many days
    # back or ahead.
    portal_calendar_alarm_days: list[Annotated[int, Field(ge=0, le=60)]] = Field(default_factory=lambda: [7, 1],
                                                                                max_length=5)
    portal_calendar_window_days: int = Field(default=366, ge=30, le=3660)

    # Terms (Algemene termijnenwet and how reminders fire)
    terms_apply_atw: bool = True
    terms_extend_landlord_terms: bool = True
    terms_extra_non_working_days: list[date] = Field(default_factory=list)
    terms_timezone: str = "Europe/Amsterdam"
    terms_reminder_time: time = time(9, 0)
    # A request whose information was provided longer ago than this is registered (it was sent on paper
    # before Inspraak), not sent again.
    start_grace_days: int = Field(default=7, ge=0, le=60)
    # A file handed in (an original letter, an attachment): .docx or .pdf up to this size.
    max_upload_bytes: int = Field(default=10 * 1024 * 1024, ge=1024)
    # A term is extended to at most this many days after its current end (set on a request when it starts).
    max_extension_days: int = Field(default=365, ge=1, le=3650)

    # Observability (docs/observability.md). Traces go over OTLP (http/protobuf) to this collector, given as
    # its base URL (http://collector:4318); the standard OTEL_EXPORTER_OTLP_ENDPOINT is read too. Unset: no
    # traces leave the process.
    otel_exporter_otlp_endpoint: str | None = Field(
        default=None, validation_alias=AliasChoices("INSPRAAK_OTEL_EXPORTER_OTLP_ENDPOINT",
                                                    "OTEL_EXPORTER_OTLP_ENDPOINT"))
    # Print every finished span on stdout (development; with or without a collector).
    otel_console: bool = False
    # Each process reports as <this>-api, <this>-worker or <this>-dev.
    otel_service_name: str = "inspraak"
    # json: one JSON object a line (production's default); text: readable lines (development's default).
    log_format: Literal["json", "text"] | None = None
    log_level: Literal["DEBUG", "INFO", "WARNING", "ERROR"] = "INFO"
    # Serve Temporal's SDK metrics and Inspraak's own in Prometheus format at http://<this>/metrics
    # (e.g. 0.0.0.0:9464); unset: no metrics.
    metrics_prometheus_address: str | None = None
    # Or send them over OTLP/HTTP to the traces' collector (<otel_exporter_otlp_endpoint>/v1/metrics), cumulative,
    # every this many seconds. Temporal's runtime exports one way: not together with the Prometheus address.
    metrics_otlp: bool = False
    metrics_otlp_interval_seconds: int = Field(default=60, ge=1, le=3600)

    @model_validator(mode="after")
    def _one_metrics_exporter(self) -> "Settings":
        if self.metrics_otlp and self.metrics_prometheus_address is not None:
            raise ValueError("INSPRAAK_METRICS_PROMETHEUS_ADDRESS and INSPRAAK_METRICS_OTLP=true are both set, but "
                             "Temporal's runtime exports metrics one way: unset one of them")
        return self

    @property
    def effective_log_format(self) -> Literal["json", "text"]:
        if self.log_format is not None:
            return self.log_format
        return "json" if self.environment == "production" else "text"

    def production_problems(self) -> list[str]:
        """What makes these settings unsafe for production: development secrets left at their defaults."""
        problems = []
        # The secret signs local tokens and, in every auth mode, the listing cursors.
        if self.jwt_secret.get_secret_value() == DEFAULT_JWT_SECRET:
            problems.append("INSPRAAK_JWT_SECRET is the development default, which anyone can read: set a long "
                            "random secret (it signs local tokens and listing cursors)")
        if self.reply_code_key.get_secret_value() == DEFAULT_REPLY_CODE_KEY:
            problems.append("INSPRAAK_REPLY_CODE_KEY is the development default: set a long random secret (it "
                            "derives every household's reply code)")
        if self.storage_backend == "s3" and (self.s3_access_key == DEFAULT_S3_ACCESS_KEY
                                             or self.s3_secret_key.get_secret_value() == DEFAULT_S3_SECRET_KEY):
            problems.append("INSPRAAK_S3_ACCESS_KEY and INSPRAAK_S3_SECRET_KEY must not be the default "
                            "'minioadmin' credentials")
        if self.auth_mode == "jwks" and not self.jwks_url:
            problems.append("INSPRAAK_AUTH_MODE=jwks needs INSPRAAK_JWKS_URL")
        if self.oidc_issuer and not self.oidc_client_secret:
            problems.append("INSPRAAK_OIDC_ISSUER needs INSPRAAK_OIDC_CLIENT_SECRET (the portal's staff login)")
        if self.oidc_issuer and not self.oidc_issuer.startswith("https://"):
            problems.append("INSPRAAK_OIDC_ISSUER must be an https:// address")
        # Printed on paper letters (where households type their reply code) and in login mails: an example
        # address, or one without TLS, would send tenants and their codes elsewhere.
        if self.api_public_url.rstrip("/") == DEFAULT_PUBLIC_URL:
            problems.append("INSPRAAK_API_PUBLIC_URL is the example address; set the address where the portal is "
                            "served (letters and login mails print it)")
        for name, url in (("INSPRAAK_API_PUBLIC_URL", self.api_public_url), ("INSPRAAK_REPLY_URL", self.reply_url)):
            if url is not None and not url.startswith("https://"):
                problems.append(f"{name} must be an https:// address")
        if self.metrics_otlp and not self.otel_exporter_otlp_endpoint:
            problems.append("INSPRAAK_METRICS_OTLP=true needs INSPRAAK_OTEL_EXPORTER_OTLP_ENDPOINT (or "
                            "OTEL_EXPORTER_OTLP_ENDPOINT): the collector the metrics go to")
        if self.auth_mode == "public_key" and not self.jwt_public_key:
            problems.append("INSPRAAK_AUTH_MODE=public_key needs INSPRAAK_JWT_PUBLIC_KEY (PEM)")
        return problems

    def check_production(self) -> None:
        """In production, refuse to start with development defaults; development starts with anything.

        Raises:
            UnsafeSettingsError: naming every setting to change.
        """
        if self.environment != "production":
            return
        problems = self.production_problems()
        if problems:
            raise UnsafeSettingsError("refusing to start with INSPRAAK_ENVIRONMENT=production: "
                                      + "; ".join(problems))

    def reply_url_for(self, trajectory_id: str) -> str:
        """The address a renovation's letters print for answering online with the reply code."""
        base = self.reply_url or f"{self.api_public_url.rstrip('/')}/portaal/antwoord"
        return f"{base.rstrip('/')}/{trajectory_id}"

    @property
    def reply_code_key_bytes(self) -> bytes:
        return self.reply_code_key.get_secret_value().encode("utf-8")

    @property
    def documents_dir(self) -> Path:
        return self.storage_dir or self.data_dir / "documents"

    @property
    def mail_outbox_dir(self) -> Path:
        return self.outbox_dir or self.data_dir / "outbox"

    @property
    def mail_ledger_dir(self) -> Path:
        return self.mail_ledger_path or self.data_dir / "mail-ledger"

    def term_policy(self) -> TermPolicy:
        return TermPolicy(
            apply_atw=self.terms_apply_atw,
            extend_landlord_terms=self.terms_extend_landlord_terms,
            extra_non_working_days=self.terms_extra_non_working_days,
            timezone=self.terms_timezone,
            reminder_time=self.terms_reminder_time,
        )


def load_settings() -> Settings:
    """The settings from the environment, or a clear exit naming each wrong variable and what it must be."""
    from pydantic import ValidationError

    try:
        return Settings()
    except ValidationError as e:
        lines = []
        for error in e.errors():
            if not error["loc"]:  # a rule between settings: its message names them
                lines.append(f"  {error['msg']}")
                continue
            field = str(error["loc"][0])
            got = error.get("input")
            lines.append(f"  INSPRAAK_{field.upper()}: {error['msg']}" + (f" (got {got!r})" if got is not None
                                                                          and not isinstance(got, dict) else ""))
        raise SystemExit("inspraak: the settings are not valid; nothing was started:\n" + "\n".join(lines)) from e
