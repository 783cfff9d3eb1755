"""Password hashing (salted scrypt, parameters stored with each hash) and the rules a new
password must meet."""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
from dataclasses import dataclass

from data.common_passwords import COMMON_PASSWORDS

MIN_PASSWORD = 8
# A name this short would forbid too many good passphrases if it could not appear in one.
MIN_NAME_IN_PASSWORD = 3


@dataclass(frozen=True)
class ScryptCost:
    """scrypt's work factors: n (CPU and memory), r (block size), p (parallelism)."""

    n: int
    r: int
    p: int

    @property
    def maxmem(self) -> int:
        """The memory scrypt needs for these factors (128 * r * (n + 2 + p) bytes), plus
        slack; hashlib refuses anything above 32 MiB unless told."""
        return 128 * self.r * (self.n + 2 + self.p) + 2**20


# OWASP's current recommendation for scrypt: 128 MiB and about 0.4 s per hash here.
DEFAULT_COST = ScryptCost(n=2**17, r=8, p=1)
# The cost new hashes get. Tests lower it to stay fast; nothing else should.
HASH_COST = DEFAULT_COST
# A stored hash asking for more memory than this is refused rather than computed.
MAX_MEM = 2**30


def hash_password(
    password: str, *, salt: bytes | None = None, cost: ScryptCost | None = None
) -> str:
    """'scrypt$N$r$p$salt$hash' with a fresh 16-byte salt, at HASH_COST unless told."""
    cost = cost or HASH_COST
    salt = salt if salt is not None else secrets.token_bytes(16)
    digest = _scrypt(password, salt, cost, 32)
    b64 = base64.b64encode
    return f"scrypt${cost.n}${cost.r}${cost.p}${b64(salt).decode()}${b64(digest).decode()}"


def _scrypt(password: str, salt: bytes, cost: ScryptCost, dklen: int) -> bytes:
    return hashlib.scrypt(
        password.encode("utf-8"),
        salt=salt,
        n=cost.n,
        r=cost.r,
        p=cost.p,
        maxmem=cost.maxmem,
        dklen=dklen,
    )


def cost_of(stored: str) -> ScryptCost | None:
    """The parameters a stored hash was made with (None if it is not a scrypt hash)."""
    parts = stored.split("$")
    if len(parts) != 6 or parts[0] != "scrypt":
        return None
    try:
        return ScryptCost(int(parts[1]), int(parts[2]), int(parts[3]))
    except ValueError:
        return None


def verify_password(password: str, stored: str) -> bool:
    """Constant-time check of `password` against a hash from hash_password, computed with
    the parameters stored in that hash."""
    cost = cost_of(stored)
    if cost is None or min(cost.n, cost.r, cost.p) < 1 or cost.maxmem > MAX_MEM:
        return False
    try:
        _scheme, _n, _r, _p, salt_b64, hash_b64 = stored.split("$")
        salt, expected = base64.b64decode(salt_b64), base64.b64decode(hash_b64)
        digest = _scrypt(password, salt, cost, len(expected))
    except (ValueError, TypeError):
        return False
    return hmac.compare_digest(digest, expected)


def needs_rehash(stored: str) -> bool:
    """True when a hash was made with other parameters than new hashes get now."""
    return cost_of(stored) != HASH_COST


def dummy_hash() -> str:
    """A hash at the current cost that no password matches (an all-zero digest): checked for
    unknown user names, so they cost the same time as a wrong password, the first one too."""
    b64 = base64.b64encode
    cost = HASH_COST
    return f"scrypt${cost.n}${cost.r}${cost.p}${b64(bytes(16)).decode()}${b64(bytes(32)).decode()}"


# -- rules for new passwords -----------------------------------------------------------------
_EDGE = "0123456789!?.,;:-_+*#@$%&/\\|~^'\"()[]{}<> "


def _normal_forms(password: str) -> set[str]:
    """The password as typed without case, and without the digits and punctuation people
    tack on at either end ('Password123!' -> 'password')."""
    folded = password.strip().casefold()
    core = folded.strip(_EDGE)
    return {folded, core} - {""}


def _names(username: str) -> set[str]:
    """The user name, and its part before '@' when it is an e-mail address."""
    name = username.strip().casefold()
    return {part for part in (name, name.split("@")[0]) if part}


def password_problem(username: str, password: str) -> str | None:
    """Why `password` is not acceptable for `username`, or None when it is."""
    if len(password) < MIN_PASSWORD:
        return f"the password must have at least {MIN_PASSWORD} characters"
    if _normal_forms(password) & COMMON_PASSWORDS:
        return "that password is on the list of commonly used passwords; choose a less common one"
    folded = password.casefold()
    for name in _names(username):
        if folded == name or (len(name) >= MIN_NAME_IN_PASSWORD and name in folded):
            return "the password must not contain the user name"
    return None
