"""A person's authenticator app, for tests: the secret from an enrolment URI (printed by
`flask users create` or returned by POST /api/v1/me/otp), codes computed with pyotp as a phone
computes them, and the recovery codes printed beside it."""

from __future__ import annotations

import re
import time
from dataclasses import dataclass, field

import pyotp

OTPAUTH = re.compile(r"otpauth://\S+")
RECOVERY_CODE = re.compile(r"^\s+([a-z2-7]{4}(?:-[a-z2-7]{4}){3})$", re.MULTILINE)
STEP = 30


@dataclass
class Authenticator:
    secret: str
    recovery_codes: list[str] = field(default_factory=list)
    last_step: int = -1  # the last step whose code was handed out: the server takes each once

    @classmethod
    def from_uri(cls, uri: str, recovery_codes: list[str] | None = None) -> Authenticator:
        totp = pyotp.parse_uri(uri)
        assert isinstance(totp, pyotp.TOTP) and totp.interval == STEP, uri
        return cls(totp.secret, list(recovery_codes or []))

    @classmethod
    def from_output(cls, output: str) -> Authenticator:
        """From what `flask users create` / `users enrol-otp` printed."""
        found = OTPAUTH.search(output)
        assert found, output
        return cls.from_uri(found.group(0), RECOVERY_CODE.findall(output))

    def at(self, step: int) -> str:
        return pyotp.TOTP(self.secret).generate_otp(step)

    def code(self) -> str:
        """A code the server has not accepted yet: this step's, else the next step's (the
        server allows one step of clock drift), else this waits for the next step."""
        for _ in range(3):
            now = time.time()
            step = int(now) // STEP
            for candidate in (step, step + 1):
                if candidate > self.last_step:
                    self.last_step = candidate
                    return self.at(candidate)
            time.sleep(STEP - now % STEP + 0.05)
        raise AssertionError("the clock is frozen: move it on a step for a new code")
