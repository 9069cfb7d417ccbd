"""Staff exit, without Qt: a PIN kept only as a salted hash, with a lockout after failures.

hashlib, hmac and secrets are imported when a PIN is hashed or checked, not with the module:
the kiosk's start screen needs the gate, not OpenSSL (~5 ms of every start).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

ITERATIONS = 200_000


def hash_pin(pin: str, *, salt: str | None = None, iterations: int = ITERATIONS) -> str:
    """``pbkdf2_sha256$iterations$salt$hash``, for ``[kiosk] staff_pin_hash`` in the config."""
    if not pin.isdigit() or not 4 <= len(pin) <= 12:
        raise ValueError("a staff PIN is 4 to 12 digits")
    import hashlib
    import secrets

    salt = salt or secrets.token_hex(16)
    digest = hashlib.pbkdf2_hmac("sha256", pin.encode(), salt.encode(), iterations).hex()
    return f"pbkdf2_sha256${iterations}${salt}${digest}"


def check_pin(pin: str, stored: str) -> bool:
    try:
        scheme, iterations, salt, digest = stored.split("$")
        rounds = int(iterations)
    except ValueError:
        return False
    if scheme != "pbkdf2_sha256":
        return False
    import hashlib
    import hmac

    candidate = hashlib.pbkdf2_hmac("sha256", pin.encode(), salt.encode(), rounds).hex()
    return hmac.compare_digest(candidate, digest)


@dataclass(frozen=True)
class PinVerdict:
    ok: bool
    locked_for_s: float = 0.0
    attempts_left: int = 0


class StaffGate:
    """Five wrong PINs lock the exit for five minutes."""

    def __init__(
        self,
        pin_hash: str | None,
        monotonic: Callable[[], float],
        *,
        max_failures: int = 5,
        lockout_s: float = 300.0,
    ) -> None:
        self._hash = pin_hash
        self._monotonic = monotonic
        self._max_failures = max_failures
        self._lockout_s = lockout_s
        self._failures = 0
        self._locked_until = 0.0

    @property
    def enabled(self) -> bool:
        return bool(self._hash)

    def locked_for(self) -> float:
        return max(0.0, self._locked_until - self._monotonic())

    def try_pin(self, pin: str) -> PinVerdict:
        locked = self.locked_for()
        if locked > 0 or not self._hash:
            return PinVerdict(False, locked_for_s=locked)
        if check_pin(pin, self._hash):
            self._failures = 0
            return PinVerdict(True)
        self._failures += 1
        if self._failures >= self._max_failures:
            self._failures = 0
            self._locked_until = self._monotonic() + self._lockout_s
            return PinVerdict(False, locked_for_s=self._lockout_s)
        return PinVerdict(False, attempts_left=self._max_failures - self._failures)


class CornerTaps:
    """The hidden gesture: ``taps`` touches in a screen corner within ``window_s`` seconds."""

    def __init__(
        self, monotonic: Callable[[], float], taps: int = 5, window_s: float = 4.0
    ) -> None:
        self._monotonic = monotonic
        self._taps = taps
        self._window_s = window_s
        self._times: list[float] = []

    def tap(self, in_corner: bool) -> bool:
        """Register a touch; True when the gesture is complete."""
        if not in_corner:
            self._times.clear()
            return False
        now = self._monotonic()
        self._times = [t for t in self._times if now - t <= self._window_s] + [now]
        if len(self._times) >= self._taps:
            self._times.clear()
            return True
        return False
