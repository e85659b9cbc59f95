"""Settings, read once from CADENCE_* environment variables."""

from __future__ import annotations

import os
import re
from dataclasses import dataclass, field, fields
from pathlib import Path

from api.rhythm.srm import SrmSettings
from api.services import mail_transport

INSTANCE_DIR = Path(__file__).resolve().parent.parent / "instance"


# Shown to a client whose answer reaches the suicide-risk safeguard, and cached by the app to
# show offline (api/services/safeguard.py). A deployment sets its own local services here.
DEFAULT_CRISIS_TEXT = (
    "If you are thinking about harming yourself or are in danger, call your local emergency "
    "number now or go to the nearest emergency department."
)
CRISIS_TEXT_MAX = 2000


def _default_database_url() -> str:
    return f"sqlite:///{INSTANCE_DIR / 'cadence.sqlite3'}"


@dataclass(frozen=True)
class Config:
    database_url: str = field(default_factory=_default_database_url)
    token_ttl_hours: int = 24 * 14
    invitation_ttl_hours: int = 72
    # argon2id cost; changing it re-hashes each password at its next sign-in.
    argon2_time_cost: int = 3
    argon2_memory_kib: int = 65536
    max_content_length: int = 64 * 1024
    max_range_days: int = 366
    log_level: str = "INFO"
    # Rate limits (flask-limiter strings), counted where every worker sees them: the app's
    # database by default, or redis://... (api/ratelimit_storage.py).
    ratelimit_enabled: bool = True
    ratelimit_storage_url: str = "database://"
    ratelimit_key_prefix: str = "cadence"
    # Failed sign-ins per (account, address); the ceiling is per account from addresses it
    # has not signed in from before, as ever longer windows (api/ratelimits.py).
    ratelimit_sign_in_per_account: str = "5 per minute"
    ratelimit_sign_in_account_ceiling: str = "20 per 10 minutes; 40 per hour; 80 per day"
    ratelimit_sign_in_per_ip: str = "30 per minute"
    ratelimit_register_per_ip: str = "10 per hour"
    # Password-reset requests (each one may send a mail), counted whatever the answer: per
    # address, and per account (the email asked about) from any address.
    ratelimit_reset_per_ip: str = "10 per hour"
    ratelimit_reset_per_account: str = "3 per 15 minutes; 10 per day"
    ratelimit_writes_per_client: str = "120 per minute"
    # SRM scoring choices (docs/science.md §1.4); the defaults reproduce the published scorer.
    srm_min_occurrences: int = 3
    srm_window: int = 45
    srm_sd_kind: str = "sample"
    srm_trim_guard: float = 10.0
    srm_hits_among: str = "kept"
    # Web Push (VAPID). Unset keys: a key pair is made once in vapid_key_file and shared by
    # every process on this machine; `flask push keys` prints a pair for the environment.
    vapid_private_key: str = ""
    vapid_public_key: str = ""
    vapid_subject: str = "mailto:admin@localhost"
    vapid_key_file: str = field(default_factory=lambda: str(INSTANCE_DIR / "vapid_private.pem"))
    # Tests only: the exact origin (http://127.0.0.1:<port>) of a loopback push receiver that
    # may be sent to. Unset, only https push services at public addresses are (push_targets).
    push_test_receiver: str = ""
    push_ttl_seconds: int = 4 * 3600
    push_timeout_seconds: float = 10.0
    # Scheduler (`flask scheduler run`): reminders are checked every tick; a reminder or digest
    # missed while no scheduler ran is sent once if it fell due in the last catch-up hours.
    scheduler_tick_seconds: int = 60
    reminder_catchup_hours: int = 2
    digest_time: str = "08:00"  # each clinician's local time
    nightly_time: str = "02:30"  # UTC
    cleanup_time: str = "03:30"  # UTC
    # The nightly job blanks IP addresses and user agents in audit events older than this.
    audit_ip_retention_days: int = 90
    # Reverse proxies in front of the app whose X-Forwarded-For/-Proto/-Host are believed
    # (Werkzeug ProxyFix); 0 believes none, so a client cannot forge its address.
    trusted_proxies: int = 0
    # Mail (api/services/mail.py), sent by the scheduler from the mail_outbox table:
    # smtp://, smtp+starttls:// or smtps://[user:password@]host[:port]. Unset, each message is
    # written as an .eml file in mail_dir instead (no mail server needed for `make run`).
    smtp_url: str = ""
    mail_from: str = "Cadence <no-reply@localhost>"
    mail_dir: str = field(default_factory=lambda: str(INSTANCE_DIR / "mail"))
    smtp_timeout_seconds: float = 10.0
    smtp_ca_file: str = ""  # PEM bundle to trust instead of the system's (a private relay)
    mail_max_attempts: int = 8
    # Accounts (api/services/verification.py, password_reset.py): links in mail point at the
    # PWA under public_url; a verification link works for verify_ttl_hours, a reset link for
    # reset_ttl_minutes, each once.
    public_url: str = "http://127.0.0.1:8000"
    verify_ttl_hours: int = 48
    reset_ttl_minutes: int = 30
    # Study exports run as jobs in the scheduler process (api/services/export_jobs.py): each
    # zip is written 0600 under export_dir and deleted export_ttl_hours after it is done; a
    # running job whose worker gave no sign of life for export_stale_seconds is run again once.
    export_ttl_hours: int = 24
    export_dir: str = field(default_factory=lambda: str(INSTANCE_DIR / "exports"))
    export_stale_seconds: int = 120
    # Studies with fewer consenting participants are not exported without an explicit,
    # audited override (api/services/export/small_cells.py).
    export_min_participants: int = 5
    # The crisis resources shown, verbatim, when a questionnaire answer reaches the safeguard.
    crisis_text: str = DEFAULT_CRISIS_TEXT
    testing: bool = False

    def __post_init__(self):
        if self.trusted_proxies < 0:
            raise ValueError(
                f"CADENCE_TRUSTED_PROXIES must be 0 or more, got {self.trusted_proxies}"
            )
        receiver = self.push_test_receiver
        if receiver and not re.fullmatch(r"http://127\.0\.0\.1:\d{1,5}/?", receiver):
            raise ValueError(
                "CADENCE_PUSH_TEST_RECEIVER must be a loopback origin such as "
                f"http://127.0.0.1:8081, got {receiver!r}"
            )
        # Mail settings fail here, at start-up, rather than at the first send.
        if self.smtp_url:
            mail_transport.parse_smtp_url(self.smtp_url)
        mail_transport.check_sender(self.mail_from)
        if self.smtp_ca_file and not Path(self.smtp_ca_file).is_file():
            raise ValueError(f"CADENCE_SMTP_CA_FILE is not a file: {self.smtp_ca_file!r}")
        if not re.fullmatch(r"https?://[^\s/?#]+(/[^\s?#]*)?", self.public_url):
            raise ValueError(
                "CADENCE_PUBLIC_URL must be the app's address such as https://cadence.example, "
                f"got {self.public_url!r}"
            )
        if self.verify_ttl_hours < 1 or self.reset_ttl_minutes < 1:
            raise ValueError(
                "CADENCE_VERIFY_TTL_HOURS and CADENCE_RESET_TTL_MINUTES must be at least 1"
            )
        if self.audit_ip_retention_days < 1:
            raise ValueError(
                "CADENCE_AUDIT_IP_RETENTION_DAYS must be at least 1, "
                f"got {self.audit_ip_retention_days}"
            )
        if self.export_ttl_hours < 1 or self.export_stale_seconds < 2:
            raise ValueError(
                "CADENCE_EXPORT_TTL_HOURS must be at least 1 and CADENCE_EXPORT_STALE_SECONDS "
                f"at least 2, got {self.export_ttl_hours} and {self.export_stale_seconds}"
            )
        if self.export_min_participants < 1:
            raise ValueError(
                "CADENCE_EXPORT_MIN_PARTICIPANTS must be at least 1, "
                f"got {self.export_min_participants}"
            )
        if not self.crisis_text.strip() or len(self.crisis_text) > CRISIS_TEXT_MAX:
            raise ValueError(
                f"CADENCE_CRISIS_TEXT must be the crisis resources to show, 1 to "
                f"{CRISIS_TEXT_MAX} characters"
            )
        if self.mail_max_attempts < 1 or self.smtp_timeout_seconds <= 0:
            raise ValueError(
                "CADENCE_MAIL_MAX_ATTEMPTS must be at least 1 and "
                "CADENCE_SMTP_TIMEOUT_SECONDS more than 0"
            )

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
            "RATELIMIT_ENABLED": self.ratelimit_enabled,
            "RATELIMIT_STORAGE_URI": self.ratelimit_storage_url,
            "RATELIMIT_KEY_PREFIX": self.ratelimit_key_prefix,
            "RATELIMIT_HEADERS_ENABLED": True,
            "CADENCE": self,
        }

    def srm_settings(self) -> SrmSettings:
        return SrmSettings(
            min_occurrences=self.srm_min_occurrences,
            window=self.srm_window,
            sd_kind=self.srm_sd_kind,
            trim_guard=self.srm_trim_guard,
            hits_among=self.srm_hits_among,
        )


def _coerce(name: str, raw: str, kind: str):
    if kind == "bool":
        lowered = raw.strip().lower()
        if lowered in {"1", "true", "yes", "on"}:
            return True
        if lowered in {"0", "false", "no", "off"}:
            return False
        raise ValueError(f"CADENCE_{name.upper()} must be a boolean, got {raw!r}")
    if kind in {"int", "float"}:
        number = int if kind == "int" else float
        try:
            return number(raw)
        except ValueError as exc:
            raise ValueError(f"CADENCE_{name.upper()} must be a {kind}, got {raw!r}") from exc
    return raw


def config_for_tests(database_url: str, **overrides) -> Config:
    """Settings for the test suite: a given database, cheap password hashing, no rate limits
    unless a test asks for them."""
    settings = {
        "argon2_time_cost": 1,
        "argon2_memory_kib": 1024,
        "ratelimit_enabled": False,
        "vapid_key_file": "",  # each test app makes its own VAPID key pair in memory
        **overrides,
    }
    return Config(database_url=database_url, testing=True, **settings)
