"""One sign-in policy for every way in with a password: the pages (allauth), Django admin and
the API token endpoint (docs/security.md).

Keyed on what a client cannot forge: its address as `client_address` sees it (only
TRUSTED_PROXIES' X-Forwarded-For is believed) and the account name it types. Three counts, each
forgotten SIGN_IN_WINDOW_SECONDS after its last failure, refuse further attempts while full:

- an address, whatever the accounts (SIGN_IN_FAILURES_PER_ADDRESS): one place spraying guesses;
- an address on one account (SIGN_IN_FAILURES_PER_ACCOUNT): one place guessing one password;
- an account from addresses it never signed in from (SIGN_IN_ACCOUNT_FAILURES): guesses spread
  over many places. Addresses the account signed in from are never refused by this count, so
  strangers cannot lock its owner out of their usual place, and elsewhere for one window at most.

A refused attempt checks no password and counts nothing: a lock ends one window after the last
real guess, however long someone keeps knocking. A success clears only its own address's count
on its account (signing in to one's own account must not reset the count of one's guesses on
others). Counts live in Django's cache, shared by every server process with Redis.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import structlog
from django.conf import settings
from django.core.cache import cache
from django.utils.translation import gettext_lazy as _

from backoffice.lib.cache_counters import address_key, bump

log = structlog.get_logger(__name__)

TOO_MANY_ATTEMPTS = _("Too many failed sign-ins. Try again later.")
KNOWN_ADDRESS_SECONDS = 90 * 86400  # how long an address the account signed in from is trusted

_ADDRESS = "sign-in:address:{address}"
_PAIR = "sign-in:pair:{account}:{address}"
_ACCOUNT = "sign-in:account:{account}"
_KNOWN = "sign-in:known:{account}:{address}"


@dataclass(frozen=True, slots=True)
class Verdict:
    allowed: bool
    # Seconds after which the refusal may end (the window; counts have no readable expiry).
    retry_after: int = 0
    reason: str = ""


def login_of(credentials: Mapping[str, Any]) -> str | None:
    """The account name a sign-in names (allauth passes `email` or `username`), normalised."""
    login = credentials.get("username") or credentials.get("email")
    return str(login).strip().lower() if login else None


def check(*, address: str, login: str) -> Verdict:
    """Whether a password sign-in as `login` from `address` may be tried now."""
    address = address_key(address)
    account = _account(login)
    window = int(settings.SIGN_IN_WINDOW_SECONDS)
    counts = cache.get_many(
        [
            _ADDRESS.format(address=address),
            _PAIR.format(account=account, address=address),
            _ACCOUNT.format(account=account),
        ]
    )
    if counts.get(_ADDRESS.format(address=address), 0) >= settings.SIGN_IN_FAILURES_PER_ADDRESS:
        return Verdict(False, window, "address")
    pair = counts.get(_PAIR.format(account=account, address=address), 0)
    if pair >= settings.SIGN_IN_FAILURES_PER_ACCOUNT:
        return Verdict(False, window, "address on account")
    if counts.get(
        _ACCOUNT.format(account=account), 0
    ) >= settings.SIGN_IN_ACCOUNT_FAILURES and not _known(account, address):
        return Verdict(False, window, "account from unknown addresses")
    return Verdict(True)


def failed(*, address: str, login: str) -> None:
    """Count a wrong password (or unknown account) for `login` from `address`."""
    address = address_key(address)
    account = _account(login)
    window = int(settings.SIGN_IN_WINDOW_SECONDS)
    bump(_ADDRESS.format(address=address), window=window)
    bump(_PAIR.format(account=account, address=address), window=window)
    if not _known(account, address):
        bump(_ACCOUNT.format(account=account), window=window)
    log.warning("sign_in.failed", address=address, account=account[:12])


def succeeded(*, address: str, login: str) -> None:
    """`login` signed in from `address`: its guesses there are forgiven, the address is known."""
    address = address_key(address)
    account = _account(login)
    cache.delete(_PAIR.format(account=account, address=address))
    cache.set(_KNOWN.format(account=account, address=address), 1, timeout=KNOWN_ADDRESS_SECONDS)


def _known(account: str, address: str) -> bool:
    return bool(cache.get(_KNOWN.format(account=account, address=address)))


def _account(login: str) -> str:
    # Hashed: typed names may hold anything, and need not be kept in the clear.
    return hashlib.sha256(login.strip().lower().encode()).hexdigest()
