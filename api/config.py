"""Settings, read once from CADENCE_* environment variables."""

from __future__ import annotations

import os
from dataclasses import asdict, dataclass, field, fields
from pathlib import Path

INSTANCE_DIR = Path(__file__).resolve().parent.parent / "instance"


def _default_database_url() -> str:
    return f"sqlite:///{INSTANCE_DIR / 'cadence.sqlite3'}"


@dataclass(frozen=True)
class Config:
    database_url: str = field(default_factory=_default_database_url)
    token_ttl_hours: int = 24 * 14
    # argon2id cost; changing it re-hashes each password at its next sign-in.
    argon2_time_cost: int = 3
    argon2_memory_kib: int = 65536
    max_content_length: int = 64 * 1024
    max_range_days: int = 366
    ratelimit_storage_url: str = "memory://"
    ratelimit_enabled: bool = True
    log_level: str = "INFO"
    testing: bool = False

    @classmethod
    def from_env(cls, environ: dict[str, str] | None = None) -> Config:
        """Read every field from CADENCE_<FIELD>; unset ones keep their defaults."""
        environ = os.environ if environ is None else environ
        values = {}
        for f in fields(cls):
            raw = environ.get(f"CADENCE_{f.name.upper()}")
            if raw is None:
                continue
            values[f.name] = _coerce(f.name, raw, f.type)
        return cls(**values)

    def as_flask(self) -> dict:
        """The subset Flask and its extensions read under their own names."""
        return {
            "TESTING": self.testing,
            "MAX_CONTENT_LENGTH": self.max_content_length,
            "RATELIMIT_STORAGE_URI": self.ratelimit_storage_url,
            "RATELIMIT_ENABLED": self.ratelimit_enabled,
            "CADENCE": self,
        }

    def public(self) -> dict:
        return {k: v for k, v in asdict(self).items() if k != "database_url"}


def _coerce(name: str, raw: str, kind: str):
    if kind == "bool":
        lowered = raw.strip().lower()
        if lowered in {"1", "true", "yes", "on"}:
            return True
        if lowered in {"0", "false", "no", "off"}:
            return False
        raise ValueError(f"CADENCE_{name.upper()} must be a boolean, got {raw!r}")
    if kind == "int":
        try:
            return int(raw)
        except ValueError as exc:
            raise ValueError(f"CADENCE_{name.upper()} must be an integer, got {raw!r}") from exc
    return raw


def config_for_tests(database_url: str, **overrides) -> Config:
    """Settings for the test suite: a given database, no rate limits unless asked."""
    settings = {"argon2_time_cost": 1, "argon2_memory_kib": 1024, **overrides}
    return Config(database_url=database_url, testing=True, ratelimit_enabled=False, **settings)
