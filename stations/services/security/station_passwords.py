"""Which station passwords are accepted: generated ones, or others as hard to guess.

Station passwords are checked with a fast salted SHA-256 (DESIGN §4: a slow hash would turn a
reconnect storm into half an hour of hashing), which is safe only for secrets nobody can guess:
a leaked hash of `aaaaaaaaaaaaaaaa` falls at once. So every password set by hand passes this one
validator: OCPP's length (16 to 40) and characters, at least MIN_ENTROPY_BITS as estimated from
its length and character classes, and nothing a person types when asked for something random
(runs, sequences, repeated patterns, common passwords). `station_auth.generate_password()`
draws again in the rare case chance made one of those.
"""

from __future__ import annotations

import itertools
import math
import re
import string
from functools import lru_cache

from django.contrib.auth.password_validation import CommonPasswordValidator
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

PASSWORD_MIN_LENGTH = 16
PASSWORD_MAX_LENGTH = 40
# Letters, digits and * - _ = : + | @ . : what every OCPP version's chargers accept (2.0.1
# passwordString; 1.6 AuthorizationKey travels as these characters, too).
ALLOWED = re.compile(r"^[A-Za-z0-9*\-_=:+|@.]*$")
_CLASSES = (string.ascii_lowercase, string.ascii_uppercase, string.digits, "*-_=:+|@.")
# A random 16-character password of lower-case letters and digits has 83 bits: enough against
# guessing a fast hash, and what a person can still type from a label.
MIN_ENTROPY_BITS = 80
_RUN = 4  # this many equal, ascending or descending characters in a row are not random
_COMMON_MIN_LENGTH = 5  # a common password this long inside a station password gives it away

TOO_SHORT = _("Use at least %(min)d characters.") % {"min": PASSWORD_MIN_LENGTH}
TOO_LONG = _("Use at most %(max)d characters (OCPP's limit).") % {"max": PASSWORD_MAX_LENGTH}
BAD_CHARACTERS = _("Use only letters, digits and * - _ = : + | @ . (OCPP's password characters).")
TOO_PREDICTABLE = _(
    "This password is too easy to guess: use the generated one, or a longer random mix of "
    "letters, digits and symbols."
)
REPEATS = _("Avoid runs like 'aaaa', sequences like 'abcd' or '4321', and repeated patterns.")
COMMON = _("This password contains a common password.")


def is_acceptable(password: str) -> bool:
    try:
        validate(password)
    except ValidationError:
        return False
    return True


def validate(password: str) -> None:
    """Raise ValidationError (all reasons) unless `password` may protect a station."""
    errors: list[str] = []
    if len(password) < PASSWORD_MIN_LENGTH:
        errors.append(str(TOO_SHORT))
    if len(password) > PASSWORD_MAX_LENGTH:
        errors.append(str(TOO_LONG))
    if not ALLOWED.match(password):
        errors.append(str(BAD_CHARACTERS))
    if errors:
        raise ValidationError(errors)
    if _has_run(password) or _is_repeated_pattern(password):
        errors.append(str(REPEATS))
    if _contains_common_password(password):
        errors.append(str(COMMON))
    if entropy_bits(password) < MIN_ENTROPY_BITS:
        errors.append(str(TOO_PREDICTABLE))
    if errors:
        raise ValidationError(errors)


def entropy_bits(password: str) -> float:
    """What a random string of this length and these character classes would hold; characters
    used more than twice count once more only (a few characters repeated is no random mix)."""
    pool = sum(len(chars) for chars in _CLASSES if any(c in chars for c in password))
    if pool == 0:
        return 0.0
    counts = {c: password.count(c) for c in set(password)}
    effective = sum(min(count, 2) for count in counts.values())
    return effective * math.log2(pool)


def _has_run(password: str) -> bool:
    codes = [ord(c) for c in password.lower()]
    for step in (0, 1, -1):
        length = 1
        for previous, current in itertools.pairwise(codes):
            length = length + 1 if current - previous == step else 1
            if length >= _RUN:
                return True
    return False


def _is_repeated_pattern(password: str) -> bool:
    # "abc1abc1abc1abc1": a short piece said again and again (the piece may be cut at the end).
    return any(
        (password[:size] * (len(password) // size + 1)).startswith(password)
        for size in range(1, len(password) // 2 + 1)
    )


def _contains_common_password(password: str) -> bool:
    lowered = password.lower()
    common = _common_passwords()
    return any(
        lowered[start : start + size] in common
        for size in range(_COMMON_MIN_LENGTH, len(lowered) + 1)
        for start in range(len(lowered) - size + 1)
    )


@lru_cache(maxsize=1)
def _common_passwords() -> frozenset[str]:
    # Django's list of 20,000 common passwords, as its user password validator uses it.
    return frozenset(
        word for word in CommonPasswordValidator().passwords if len(word) >= _COMMON_MIN_LENGTH
    )
