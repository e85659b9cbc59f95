"""The password rules, one place for registration, reset, change and `flask users create`.

NIST SP 800-63B 5.1.1.2 and OWASP ASVS 2.1: a length floor, no composition rules, and a check
against passwords attackers try first. That check is zxcvbn (PyPI `zxcvbn` 4.5, 2025, the
maintained Python port of Dropbox's estimator; pure Python, no dependencies, runs on 3.11+):
it ships the leaked-password lists and English words and names offline, and scores what
guessing tools do with them (l33t, keyboard walks, dates, repeats, sequences), which a fixed
top-N list cannot.
A score of 3 (about 10^8 guesses) is its authors' bar for "safely unguessable"; passphrases
of a few words pass. Only the first MAX_ESTIMATED characters are estimated: the estimator's
time grows fast with length (a 256-character repeat takes over a second), and a password's
strength is at least that of its start.
"""

from __future__ import annotations

from api.services.errors import Invalid

MIN_LENGTH = 10
MAX_LENGTH = 256
MAX_ESTIMATED = 72  # the library's own default limit
MIN_SCORE = 3
MIN_DISTINCT = 4  # "aaaaaaaaaa", "ababababab", ten spaces
LOCAL_PART_MIN = 3  # shorter local parts ("jo@") are found in too many good passwords
ADVICE = "Choose a passphrase of three or four unrelated words."


def problems(password: str, email: str = "") -> list[str]:
    """What is wrong with `password` for the account at `email`, as sentences saying what to
    do; empty when it may be used."""
    if len(password) < MIN_LENGTH:
        return [f"Use at least {MIN_LENGTH} characters. {ADVICE}"]
    if len(password) > MAX_LENGTH:
        return [f"Use at most {MAX_LENGTH} characters."]
    if not password.strip():
        return [f"A password cannot be only spaces. {ADVICE}"]
    if len(set(password)) < MIN_DISTINCT:
        return [f"This password repeats too few characters. {ADVICE}"]
    local = email.strip().split("@", 1)[0].lower() if "@" in email else ""
    if len(local) >= LOCAL_PART_MIN and local in password.lower():
        return [f"Do not use your email address in your password. {ADVICE}"]
    # Imported here: its word lists cost every process about 12 MiB, and only the few requests
    # that set a password need them (the export CLI and the scheduler never do).
    from zxcvbn import zxcvbn

    estimate = zxcvbn(password[:MAX_ESTIMATED], user_inputs=[local, "cadence"] if local else [])
    if estimate["score"] < MIN_SCORE:
        warning = estimate["feedback"]["warning"] or "This password is easy to guess."
        return [f"{warning.rstrip('.')}. {ADVICE}"]
    return []


def check(password: str, email: str = "", field: str = "password") -> None:
    """Raise Invalid (422) naming `field` when the password may not be used."""
    found = problems(password, email)
    if found:
        raise Invalid(f"Choose another password: {found[0]}", {field: found})
