"""Settings, read from QI_* environment variables (pydantic-settings)."""

from __future__ import annotations

from typing import Literal
from urllib.parse import unquote, urlsplit

from pydantic import Field
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
    projections: Literal["inprocess", "worker"] = Field(
        default="inprocess", description="inprocess: reads catch projections up; worker: `qi project` does"
    )
    projection_batch: int = Field(default=500, ge=1, le=100_000)

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
        else:
            env.update(PERSISTENCE_MODULE="eventsourcing.sqlite", SQLITE_DBNAME=self.store)
        return env


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
