"""Settings, read from QI_* environment variables (pydantic-settings)."""

from __future__ import annotations

import ipaddress
import re
from pathlib import Path
from typing import Literal
from urllib.parse import unquote, urlsplit

from pydantic import Field, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="QI_", extra="ignore")

    store: str = Field(
        default="var/qi.sqlite3",
        description="a SQLite file path, or a postgresql:// URL",
    )
    snapshot_interval: int = Field(default=100, ge=2)
    cache_size: int = Field(default=1000, ge=0, description="aggregates kept in memory; 0 for none")
    postgres_pool_size: int = Field(default=5, ge=1)
    postgres_connect_timeout: int = Field(
        default=1, ge=1, le=300, description="seconds to wait for a PostgreSQL connection before failing"
    )
    projections: Literal["inprocess", "worker"] = Field(
        default="inprocess",
        description="inprocess: a projector thread of the API process keeps read models current; "
        "worker: `qi project` does",
    )
    projector: Literal["process", "thread"] = Field(
        default="process",
        description="where inprocess projections run: process, a child process beside the API "
        "(its own core, leaving the API's interpreter to requests); thread, a thread of the API process",
    )
    projection_batch: int = Field(default=500, ge=1, le=100_000)
    projection_poll: float = Field(
        default=0.5,
        gt=0,
        le=60,
        description="seconds between the projector's looks for other processes' events",
    )
    projection_linger: float = Field(
        default=0.05,
        ge=0,
        le=5,
        description="seconds the projector gathers commits before projecting them (a waiting read does not wait for it)",
    )
    read_wait_seconds: float = Field(
        default=5.0,
        gt=0,
        le=600,
        description="seconds a read waits for the read models to reach the log's head before 503 (inprocess)",
    )
    kafka_bootstrap: str | None = Field(
        default=None, description="host:port[,host:port...] of the Kafka brokers; Kafka is off unless set"
    )
    kafka_topic: str = Field(default="qi.events", pattern=r"^[A-Za-z0-9._-]{1,249}$")
    kafka_partitions: int = Field(default=6, ge=1, description="partitions when the relay creates the topic")
    kafka_replication: int = Field(default=1, ge=1, description="replicas when the relay creates the topic")
    kafka_send_timeout: float = Field(
        default=30.0, gt=0, description="seconds a batch may take to be acknowledged before it is retried"
    )
    relay: Literal["inprocess", "off"] = Field(
        default="inprocess",
        description="inprocess: the API process relays to Kafka (when QI_KAFKA_BOOTSTRAP is set); "
        "off: run `qi relay` as its own process",
    )
    relay_batch: int = Field(default=500, ge=1, le=100_000)
    relay_backoff_max: float = Field(default=30.0, gt=0, description="longest wait between retries (s)")
    event_source: str = Field(
        default="urn:qi-engine:events",
        description="the CloudEvents `source` of every published event: an absolute URI",
    )
    public_url: str | None = Field(
        default=None,
        description="the http(s) URL clients reach the API at (e.g. https://qi.example.org); each "
        "event's `dataschema` is then a URL under it, else under the events schema's `$id`",
    )
    retry_after: int = Field(
        default=1, ge=1, le=3600, description="seconds a 503 (store unavailable) asks clients to wait"
    )
    ce_retention_years: int = Field(
        default=6,
        ge=0,
        le=100,
        description="years an erased person's CE record keeps their name and licences for accreditors",
    )
    erasure_interval: float = Field(
        default=3600.0,
        gt=0,
        le=86_400,
        description="seconds between the erasure sweep's rounds (erasures left half done; retention periods ended)",
    )
    data_key: str | None = Field(
        default=None,
        repr=False,
        description="the master key that wraps personal data keys, or the path of its file; "
        "several, comma separated, while rotating (current first); unset on SQLite: a key file beside the store",
    )
    audit_key: str | None = Field(
        default=None,
        description="the Ed25519 key that signs audit digests: the path of its PEM file "
        "(`qi audit keygen --out FILE`), or the PEM itself; digests are off unless set",
    )
    credit_key: str | None = Field(
        default=None,
        description="the provider's Ed25519 key that signs transcripts: the path of its PEM file "
        "(`qi audit keygen --out FILE` makes one), or the PEM itself; transcripts are unsigned unless set",
    )
    provider_name: str = Field(
        default="QI Collaborative", max_length=200, description="the CE provider named on signed transcripts"
    )
    accreditation_statement: str | None = Field(
        default=None,
        max_length=2000,
        description="the provider's accreditation and designation statement printed on certificates",
    )
    capce_provider_id: str | None = Field(
        default=None,
        max_length=20,
        pattern=r"^[A-Za-z0-9-]+$",
        description="the provider's CAPCE id, written in every completion of the CAPCE file "
        "(letters and digits, as CAPCE assigned it); the CAPCE file is refused until it is set",
    )
    audit_digest_interval: float = Field(
        default=300.0, gt=0, description="seconds between the digests the API process records"
    )
    audit_digest_topic: str = Field(
        default="qi.audit-digests",
        pattern=r"^[A-Za-z0-9._-]{1,249}$",
        description="the Kafka topic recorded digests are published to (when QI_KAFKA_BOOTSTRAP is set)",
    )
    session_hours: float = Field(
        default=12.0, gt=0, le=24 * 30, description="hours a page session lasts after signing in, at most"
    )
    session_idle_minutes: float = Field(
        default=60.0,
        gt=0,
        le=24 * 60,
        description="minutes without a request after which a page session ends",
    )
    invitation_days: int = Field(
        default=14, ge=1, le=90, description="days an emailed invitation link stays valid"
    )
    reset_minutes: int = Field(
        default=60, ge=5, le=24 * 60, description="minutes a password reset link stays valid"
    )
    lockout_failures: int = Field(
        default=5, ge=1, le=100, description="failed sign-ins in a row that lock an account for a while"
    )
    lockout_minutes: int = Field(
        default=15,
        ge=1,
        le=24 * 60,
        description="minutes an account stays locked after repeated failed sign-ins",
    )
    sign_in_per_minute: int = Field(
        default=30, ge=1, le=1_000_000, description="sign-in attempts one client address may make per minute"
    )
    password_hashing: Literal["rfc9106-low-memory", "test-only-cheapest"] = Field(
        default="rfc9106-low-memory",
        description="the Argon2id cost: RFC 9106's second recommendation; test-only-cheapest is for test suites",
    )
    smtp_host: str | None = Field(
        default=None,
        description="the mail server that sends invitations and resets; unset: messages go to the outbox folder",
    )
    smtp_port: int = Field(default=587, ge=1, le=65535)
    smtp_user: str | None = None
    smtp_password: str | None = Field(default=None, repr=False)
    smtp_from: str = Field(default="QI Collaborative <qi@localhost>", description="the From of every message")
    smtp_starttls: bool = Field(
        default=True, description="upgrade the connection with STARTTLS before signing in"
    )
    mail_folder: str | None = Field(
        default=None,
        description="where messages are written when QI_SMTP_HOST is unset; default: `outbox` beside the SQLite "
        "store, or var/outbox with PostgreSQL",
    )
    mail_interval: float = Field(
        default=2.0, gt=0, le=3600, description="seconds between the outbox's looks for messages to send"
    )
    reminder_interval: float = Field(
        default=60.0,
        gt=0,
        le=86400,
        description="seconds between the reminder scheduler's looks for occasions",
    )
    data_due_day: int = Field(
        default=10,
        ge=1,
        le=28,
        description="the day of the next month by which a team's month of data is due",
    )
    report_due_day: int = Field(
        default=10,
        ge=1,
        le=28,
        description="the day of the next month by which a team's monthly report is due",
    )
    invitation_reminder_days: int = Field(
        default=3,
        ge=1,
        le=60,
        description="days after an invitation its invitee is reminded, if they have not accepted",
    )
    session_reminder_hours: int = Field(
        default=24,
        ge=1,
        le=168,
        description="how long before a learning activity starts its people are reminded",
    )
    oidc_issuer: str | None = Field(
        default=None,
        description="the OpenID Connect provider for single sign-on (its issuer URL); off unless set",
    )
    oidc_client_id: str | None = None
    oidc_client_secret: str | None = Field(default=None, repr=False)
    oidc_name: str = Field(default="single sign-on", description="what the sign-in page calls the provider")
    cookie_secure: bool = Field(
        default=False,
        description="mark the pages' cookies Secure even when the request did not arrive over https",
    )
    files: str | None = Field(
        default=None,
        description="folder of the content-addressed file store (library uploads); default: `files` "
        "beside the SQLite store, or var/files with PostgreSQL",
    )

    keep_alive: float = Field(
        default=5.0, gt=0, le=3600, description="seconds an idle kept-alive connection stays open"
    )
    header_timeout: float = Field(
        default=10.0, gt=0, le=3600, description="seconds a request's headers may take to arrive in full"
    )
    body_timeout: float = Field(
        default=60.0, gt=0, le=3600, description="seconds a request's body may take to arrive in full"
    )
    concurrency_limit: int = Field(
        default=1000, ge=1, description="requests in flight per API process; past it, 503 with Retry-After"
    )
    forwarded_allow_ips: str = Field(
        default="",
        description="comma-separated addresses or networks of the proxies whose X-Forwarded-For and "
        "X-Forwarded-Proto are believed; empty: none (`*`: any peer, only behind a proxy that sets them)",
    )

    @field_validator("forwarded_allow_ips")
    @classmethod
    def _proxies_are_addresses(cls, value: str) -> str:
        """Refuse a proxy entry that is not an address or network: uvicorn would silently never match it."""
        for entry in (e.strip() for e in value.split(",") if e.strip()):
            if entry == "*":
                continue
            try:
                ipaddress.ip_network(entry, strict=False)
            except ValueError:
                raise ValueError(
                    f"{entry!r} is not an IP address or network (e.g. 10.0.0.5 or 10.0.0.0/24)"
                ) from None
        return value

    @field_validator("event_source")
    @classmethod
    def _source_is_an_absolute_uri(cls, value: str) -> str:
        """CloudEvents consumers compare sources as URIs: refuse one that is not absolute."""
        problem = absolute_uri_problem(value)
        if problem:
            raise ValueError(
                f"QI_EVENT_SOURCE must be an absolute URI such as urn:qi-engine:events or "
                f"https://qi.example.org/engine: {value!r} {problem}"
            )
        return value

    @field_validator("public_url")
    @classmethod
    def _public_url_is_a_base_url(cls, value: str | None) -> str | None:
        """The base of the `dataschema` URLs: an http(s) URL with a host, nothing after its path."""
        if not value:
            return None  # QI_PUBLIC_URL= (empty) leaves it unset
        parts = urlsplit(value)
        web = parts.scheme in ("http", "https") and parts.hostname and not absolute_uri_problem(value)
        if not web or "?" in value or "#" in value:
            raise ValueError(
                f"QI_PUBLIC_URL must be the http(s) URL clients reach the API at, such as "
                f"https://qi.example.org, with no query or fragment: not {value!r}"
            )
        return value.rstrip("/")

    @property
    def files_folder(self) -> Path:
        if self.files:
            return Path(self.files)
        return Path("var") / "files" if self.uses_postgres else Path(self.store).parent / "files"

    @property
    def mail_outbox(self) -> Path:
        """Where messages are written when no mail server is configured."""
        if self.mail_folder:
            return Path(self.mail_folder)
        return Path("var") / "outbox" if self.uses_postgres else Path(self.store).parent / "outbox"

    @property
    def read_models_store(self) -> str:
        """Where the read models are kept. On PostgreSQL, the events' database. On SQLite, a
        file of their own beside the events' (qi.sqlite3: qi.read-models.sqlite3): SQLite has
        one writer per file, and projecting would otherwise hold the commands' lock; and the
        file is rebuilt from the events when deleted, while the events' file is the record."""
        if self.uses_postgres:
            return self.store
        path = Path(self.store)
        return str(path.with_name(f"{path.stem}.read-models{path.suffix}"))

    @property
    def uses_postgres(self) -> bool:
        return self.store.startswith(("postgresql://", "postgres://"))

    def eventsourcing_env(self) -> dict[str, str]:
        """The environment eventsourcing's infrastructure factory reads."""
        env = {"IS_SNAPSHOTTING_ENABLED": "y"}
        if self.cache_size > 0:  # eventsourcing reads 0 as "unbounded"; ours means "no cache"
            env["AGGREGATE_CACHE_MAXSIZE"] = str(self.cache_size)
        if self.uses_postgres:
            env.update(_postgres_env(self.store), POSTGRES_POOL_SIZE=str(self.postgres_pool_size))
            # eventsourcing waits 30 s by default, and retries: a request would hang for
            # minutes while the database is down instead of being answered 503.
            env["POSTGRES_CONNECT_TIMEOUT"] = str(self.postgres_connect_timeout)
        else:
            env.update(PERSISTENCE_MODULE="eventsourcing.sqlite", SQLITE_DBNAME=self.store)
        return env


# RFC 3986, section 3: a scheme, then only URI characters, every % starting an escape.
_SCHEME = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*:")
_URI_CHARACTERS = re.compile(r"^(?:[A-Za-z0-9\-._~:/?#\[\]@!$&'()*+,;=]|%[0-9A-Fa-f]{2})+$")


def absolute_uri_problem(value: str) -> str | None:
    """Why `value` is not an absolute URI (RFC 3986), in a few words; None when it is one."""
    scheme = _SCHEME.match(value)
    if scheme is None:
        return "has no scheme (the part before the first colon, starting with a letter)"
    if not _URI_CHARACTERS.match(value):
        return "holds characters a URI may not (spaces, or a % not followed by two hex digits)"
    rest = value[scheme.end() :]
    if not rest:
        return "has nothing after its scheme"
    if rest.startswith("//") and not urlsplit(value).netloc:
        return "has an empty host"
    return None


def _postgres_env(url: str) -> dict[str, str]:
    parts = urlsplit(url)
    return {
        "PERSISTENCE_MODULE": "eventsourcing.postgres",
        "POSTGRES_HOST": parts.hostname or "127.0.0.1",
        "POSTGRES_PORT": str(parts.port or 5432),
        "POSTGRES_USER": unquote(parts.username or "postgres"),
        "POSTGRES_PASSWORD": unquote(parts.password or ""),
        "POSTGRES_DBNAME": parts.path.lstrip("/") or "postgres",
    }
