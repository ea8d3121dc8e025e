"""Settings: one object, read once at start-up and passed in.

Values come, lowest priority first, from the field defaults, the profile file
`deploy/config/<profile>.yaml`, then environment variables (`GRACE_*`, plus the
conventional `NEO4J_URI`, `NEO4J_USER`, `NEO4J_PASSWORD` and `REDIS_URL`).
Secrets are `SecretStr`; the development defaults are refused outside `dev`.
"""

from __future__ import annotations

import base64
import binascii
import os
from enum import StrEnum
from pathlib import Path
from typing import Any, Literal, Self
from urllib.parse import urlsplit

import yaml
from pydantic import (
    AliasChoices,
    BaseModel,
    ConfigDict,
    Field,
    SecretStr,
    ValidationError,
    ValidationInfo,
    field_validator,
    model_validator,
)
from pydantic_settings import (
    BaseSettings,
    EnvSettingsSource,
    PydanticBaseSettingsSource,
    SettingsConfigDict,
)

from graph.errors import ConfigurationError, InsecureSettingsError

PROJECT_ROOT = Path(__file__).resolve().parent.parent
"""The checkout Grace runs from: `cypher/`, `schemas/`, `policies/` and `deploy/` live here."""

DEV_NEO4J_PASSWORD = "grace-dev-password"  # noqa: S105 - refused outside dev
DEV_API_SECRET = "grace-dev-api-secret"  # noqa: S105 - the refused-outside-dev default


class Profile(StrEnum):
    """Where Grace runs; each has a settings file in `deploy/config/`."""

    DEV = "dev"
    STAGING = "staging"
    PROD = "prod"


class Schedule(BaseModel):
    """A recurring job: which task, and when (a five-field cron expression, UTC)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    task: str
    cron: str


class Webhook(BaseModel):
    """A channel that receives a workspace's notifications: an HTTP POST signed with HMAC
    (`X-Grace-Signature: sha256=<hex>` of the body), in Slack's `{"text": ...}` shape when
    `slack` is set."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    workspace: str
    url: str
    secret: SecretStr
    slack: bool = False


class KeyRotationPolicy(BaseModel):
    """How old each kind of key may grow before the `key_rotation` job replaces it, and how
    long a replaced bearer-token key still verifies (at least the longest token lifetime)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    api_token_max_age_days: float = Field(default=30.0, gt=0)
    field_max_age_days: float = Field(default=90.0, gt=0)
    audit_max_age_days: float = Field(default=180.0, gt=0)
    api_token_retire_after_hours: float = Field(
        default=24.0, ge=24.0, description="`grace access token` issues tokens for 24 h at most."
    )


class Settings(BaseSettings):
    """Everything Grace reads from its environment."""

    model_config = SettingsConfigDict(env_prefix="GRACE_", extra="forbid", frozen=True)

    profile: Profile = Profile.DEV
    root: Path = PROJECT_ROOT
    data_dir: Path = Field(
        default=PROJECT_ROOT / "var", description="Persistent local state (Neo4j home, Redis)."
    )

    schemas_dir: Path = Field(
        default=PROJECT_ROOT / "schemas", description="The YAML table definitions."
    )
    policies_dir: Path = Field(default=PROJECT_ROOT / "policies", description="The YAML policies.")
    web_dist: Path = Field(
        default=Path("web/dist"),
        description="The built web pages (`npm run build` in web/; relative to root).",
    )

    neo4j_uri: str = Field(
        default="bolt://127.0.0.1:7687",
        validation_alias=AliasChoices("GRACE_NEO4J_URI", "NEO4J_URI"),
    )
    neo4j_user: str = Field(
        default="neo4j", validation_alias=AliasChoices("GRACE_NEO4J_USER", "NEO4J_USER")
    )
    neo4j_password: SecretStr = Field(
        default=SecretStr(DEV_NEO4J_PASSWORD),
        validation_alias=AliasChoices("GRACE_NEO4J_PASSWORD", "NEO4J_PASSWORD"),
    )
    neo4j_database: str = "neo4j"
    neo4j_http_port: int = 7474
    neo4j_heap: str = "1g"
    neo4j_pagecache: str = "512m"
    """Neo4j's page cache (`--pagecache`): the store held in memory; give it the size of
    `var/neo4j/data/databases` where memory allows."""
    neo4j_pool_size: int = 50
    neo4j_store_path: Path | None = Field(
        default=None,
        description="The Neo4j home as this process sees it, for the disk gauges of /metrics "
        "(default: data_dir/neo4j, where `grace up` keeps it; a mounted volume in containers).",
    )

    redis_url: str = Field(
        default="redis://127.0.0.1:6379/0",
        validation_alias=AliasChoices("GRACE_REDIS_URL", "REDIS_URL"),
    )
    redis_password: SecretStr | None = None

    api_host: str = "127.0.0.1"
    api_port: int = 8000
    api_secret_key: SecretStr = SecretStr(DEV_API_SECRET)
    auth_cache_seconds: float = Field(
        default=1.0,
        ge=0,
        description="How long an API process may answer from a caller (key or token -> user, "
        "memberships) and the table map it holds when the event that forgets them is missed; "
        "0: read both on every request.",
    )
    max_request_bytes: int = Field(
        default=1024 * 1024, ge=1, description="Largest JSON or GET request the API reads."
    )
    max_upload_bytes: int = Field(
        default=64 * 1024 * 1024, ge=1, description="Largest multipart (upload) request body."
    )
    otel_exporter_otlp_endpoint: str | None = Field(
        default=None,
        validation_alias=AliasChoices(
            "GRACE_OTEL_EXPORTER_OTLP_ENDPOINT", "OTEL_EXPORTER_OTLP_ENDPOINT"
        ),
        description="OTLP/HTTP collector base URL (spans go to <url>/v1/traces); none: no tracing.",
    )

    log_format: Literal["auto", "json", "text"] = Field(
        default="auto",
        description="Logs on stderr: JSON lines, plain text, or auto (text at a terminal).",
    )
    metrics_host: str = Field(
        default="127.0.0.1", description="Where the worker and the watcher serve /metrics."
    )
    worker_metrics_port: int | None = Field(
        default=9101, ge=1, le=65535, description="The worker's /metrics port; none: not served."
    )
    watcher_metrics_port: int | None = Field(
        default=9102, ge=1, le=65535, description="The watcher's /metrics port; none: not served."
    )

    write_batch_size: int = Field(default=5000, ge=1, le=100_000)

    watch_dirs: list[Path] = Field(
        default_factory=lambda: [PROJECT_ROOT / "inbox"],
        description="Folders the watcher ingests from; each subfolder is one source.",
    )
    source_owners: dict[str, str] = Field(
        default_factory=dict,
        description="Who owns each watched folder: source-id pattern (fnmatch, `folder:hr`) -> "
        "a user's e-mail or a workspace id (its members), like a table's `owner`. Owners are "
        "told when a file from a matching source fails to ingest.",
    )
    watch_rescan_seconds: float = Field(default=300.0, gt=0)
    watch_debounce_seconds: float = Field(
        default=0.01,
        ge=0,
        description="Quiet time a closed file must hold still before it is queued.",
    )
    max_file_bytes: int = Field(default=50 * 1024 * 1024, ge=1)

    worker_max_jobs: int = Field(default=4, ge=1)
    worker_job_timeout_seconds: int = Field(default=300, ge=1)
    worker_poll_delay_seconds: float = Field(
        default=0.5,
        gt=0,
        description="Longest a worker waits between polls of its queue when nothing wakes it: "
        "a job queued due now wakes the queue's workers at once (`ingest.prompt_worker`), so "
        "this bounds only deferred jobs (retries, schedules) and lost wake-ups.",
    )
    worker_max_tries: int = Field(default=8, ge=1)
    worker_pass_niceness: int = Field(
        default=10,
        ge=0,
        le=19,
        description="Niceness a process running the pass lane alone (`grace worker --lane "
        "passes`) adds to its own, so that files' ingestion beside it gets the CPU first.",
    )
    worker_pass_batch_documents: int = Field(
        default=16,
        ge=1,
        description="Documents one after-ingest pass takes at most when the pass lane finds "
        "passes waiting behind the one it takes (one pass over all, `ingest.after_ingest`); "
        "1 runs each alone.",
    )
    worker_pass_batch_rows: int = Field(
        default=8_000,
        ge=0,
        description="Rows of those documents one coalesced pass takes at most (its own "
        "document counts whatever its size), so that the pass ends within "
        "`worker_job_timeout_seconds`.",
    )
    schedules: list[Schedule] = Field(
        default_factory=list, description="Cron-like recurring jobs the worker runs."
    )

    webhooks: list[Webhook] = Field(
        default_factory=list, description="Channels that receive each workspace's notifications."
    )
    smtp_host: str | None = Field(
        default=None, description="SMTP server for notification e-mail (none: no e-mail)."
    )
    smtp_port: int = Field(default=25, ge=1, le=65535)
    smtp_sender: str = "grace@localhost"
    delivery_max_tries: int = Field(default=5, ge=1)
    delivery_backoff_seconds: float = Field(
        default=5.0, gt=0, description="First retry delay of a failed delivery; doubles each try."
    )

    embedding_backend: Literal["onnx", "onnx-int8", "numpy", "sentence-transformers", "off"] = (
        Field(
            default="onnx-int8",
            description="How text is embedded for semantic conflicts: on ONNX Runtime with "
            "most weights in int8 (the fastest; cosine 0.98 or better to numpy) or in fp32, "
            "the model in numpy (the reference), through sentence-transformers (needs torch), "
            "or not at all.",
        )
    )

    secret_backend: Literal["local", "vault"] = Field(
        default="local", description="Where secrets and field keys live: local files or Vault."
    )
    secrets_dir: Path = Field(
        default=Path("var/secrets"), description="The local secret store (relative to root)."
    )
    master_key: SecretStr | None = Field(
        default=None, description="Base64 of 32 bytes: encrypts the local secret store."
    )
    master_key_file: Path | None = Field(
        default=Path("var/secrets/master.key"),
        description="File holding the master key; created (0600) in dev when missing.",
    )
    vault_addr: str | None = None
    vault_token: SecretStr | None = None
    vault_kv_mount: str = "secret"
    vault_transit_mount: str = "transit"
    vault_transit_key: str = "grace-fields"
    vault_namespace: str | None = None
    key_rotation: KeyRotationPolicy = Field(
        default_factory=KeyRotationPolicy,
        description="Maximum key ages for the scheduled `key_rotation` job.",
    )

    llm_url: str | None = Field(
        default=None,
        description="An OpenAI-compatible chat-completions base URL (such as "
        "http://127.0.0.1:8080/v1) for the co-pilot's free questions; unset: curated only.",
    )
    llm_model: str = Field(default="default", description="The model name sent to `llm_url`.")
    llm_api_key: SecretStr | None = Field(
        default=None, description="The bearer key of `llm_url` (never logged)."
    )
    llm_timeout_seconds: float = Field(default=60.0, gt=0)
    llm_retries: int = Field(default=2, ge=0, le=10)
    llm_max_completion_tokens: int = Field(
        default=1024,
        ge=16,
        description="The most tokens a reply may hold (`max_tokens`): a small model stops.",
    )
    llm_prompt_cost_per_1k: float = Field(default=0.0, ge=0, description="Cost per 1k tokens.")
    llm_completion_cost_per_1k: float = Field(default=0.0, ge=0)
    llm_user_daily_tokens: int = Field(default=200_000, ge=0, description="Per user and day.")
    llm_global_daily_tokens: int = Field(default=2_000_000, ge=0, description="For everyone.")
    copilot_max_rows: int = Field(default=200, ge=1, le=10_000)
    copilot_query_timeout_seconds: float = Field(default=5.0, gt=0)

    @property
    def cypher_dir(self) -> Path:
        """Where the named Cypher statements live."""
        return self.root / "cypher"

    @property
    def redis_secret(self) -> str | None:
        """The Redis password in clear, for clients only (never logged)."""
        return self.redis_password.get_secret_value() if self.redis_password else None

    @property
    def secrets(self) -> list[SecretStr]:
        """Every secret configured, for the log redactor (`graph.logs`)."""
        values = (
            self.neo4j_password,
            self.redis_password,
            self.api_secret_key,
            self.master_key,
            self.vault_token,
            self.llm_api_key,
            *(webhook.secret for webhook in self.webhooks),
        )
        in_url = urlsplit(self.redis_url).password
        return [value for value in values if value is not None] + (
            [SecretStr(in_url)] if in_url else []
        )

    @property
    def store_path(self) -> Path:
        """The Neo4j home whose file system the disk gauges describe."""
        return self.neo4j_store_path or self.data_dir / "neo4j"

    @property
    def config_dir(self) -> Path:
        """Where the profile files live."""
        return self.root / "deploy" / "config"

    @field_validator("watch_dirs")
    @classmethod
    def _relative_to_root(cls, folders: list[Path], info: ValidationInfo) -> list[Path]:
        root: Path = info.data.get("root", PROJECT_ROOT)
        return [folder if folder.is_absolute() else root / folder for folder in folders]

    @field_validator("secrets_dir", "master_key_file", "web_dist")
    @classmethod
    def _path_relative_to_root(cls, path: Path | None, info: ValidationInfo) -> Path | None:
        root: Path = info.data.get("root", PROJECT_ROOT)
        return path if path is None or path.is_absolute() else root / path

    @field_validator("master_key")
    @classmethod
    def _master_key_is_32_bytes(cls, key: SecretStr | None) -> SecretStr | None:
        if key is None:
            return None
        try:
            raw = base64.b64decode(key.get_secret_value(), validate=True)
        except (binascii.Error, ValueError):
            raw = b""
        if len(raw) != 32:  # AES-256; not a ValueError, whose report would quote the input
            raise ConfigurationError("master_key must be the base64 of exactly 32 bytes")
        return key

    @model_validator(mode="after")
    def _vault_is_configured(self) -> Self:
        vault = self.secret_backend == "vault"  # noqa: S105 - a backend name, not a secret
        if vault and not (self.vault_addr and self.vault_token):
            raise ConfigurationError(
                "secret_backend 'vault' needs vault_addr and vault_token "
                "(GRACE_VAULT_ADDR, GRACE_VAULT_TOKEN)"
            )
        return self

    @model_validator(mode="after")
    def _refuse_default_secrets(self) -> Self:
        if self.profile is Profile.DEV:
            return self
        defaults = {
            "neo4j_password": DEV_NEO4J_PASSWORD,
            "api_secret_key": DEV_API_SECRET,
        }
        unsafe = [
            name
            for name, default in defaults.items()
            if getattr(self, name).get_secret_value() in ("", default)
        ]
        if unsafe:
            raise InsecureSettingsError(self.profile.value, unsafe)
        return self

    def __repr__(self) -> str:
        return f"Settings(profile={self.profile.value!r}, neo4j_uri={self.neo4j_uri!r})"

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        # The environment overrides the profile file, which `load_settings` passes as init values.
        return _EnvironmentWithoutProfile(settings_cls), init_settings, file_secret_settings


class _EnvironmentWithoutProfile(EnvSettingsSource):
    """Environment variables, except GRACE_PROFILE: `load_settings` chose the profile already
    (an explicit `--profile` must win over the environment)."""

    def __call__(self) -> dict[str, Any]:
        values = super().__call__()
        values.pop("profile", None)
        return values


def load_settings(profile: str | None = None, **overrides: Any) -> Settings:
    """Read the settings for `profile` (default: `GRACE_PROFILE`, else `dev`).

    `overrides` win over the profile file but not over the environment; tests use them.
    """
    chosen = profile or os.environ.get("GRACE_PROFILE", Profile.DEV.value)
    try:
        profile_value = Profile(chosen)
    except ValueError:
        valid = ", ".join(p.value for p in Profile)
        raise ConfigurationError(f"unknown profile {chosen!r}; choose one of {valid}") from None
    values = _read_profile_file(PROJECT_ROOT / "deploy" / "config" / f"{profile_value}.yaml")
    values.update(overrides)
    values["profile"] = profile_value
    try:
        return Settings(**values)
    except InsecureSettingsError:
        raise
    except ValidationError as error:
        raise ConfigurationError(f"invalid settings: {error}") from None


def _read_profile_file(path: Path) -> dict[str, Any]:
    if not path.exists():
        return {}
    try:
        loaded = yaml.safe_load(path.read_text(encoding="utf-8"))
    except yaml.YAMLError as error:
        raise ConfigurationError(f"{path}: not valid YAML: {error}") from None
    if loaded is None:
        return {}
    if not isinstance(loaded, dict):
        raise ConfigurationError(f"{path}: expected a mapping of setting names to values")
    return {str(key): value for key, value in loaded.items()}
