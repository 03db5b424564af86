"""The open-file limit: every simulated station (and every server-side socket) is a file."""

from __future__ import annotations

import resource


def raise_open_file_limit(needed: int = 0) -> int:
    """Lift the soft RLIMIT_NOFILE to the hard limit; fail early if `needed` does not fit."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    target = hard if hard != resource.RLIM_INFINITY else max(soft, 1_048_576)
    if target > soft:
        resource.setrlimit(resource.RLIMIT_NOFILE, (target, hard))
    limit = resource.getrlimit(resource.RLIMIT_NOFILE)[0]
    if limit < needed + 100:
        raise RuntimeError(f"open-file limit {limit} is too low for {needed} sockets")
    return limit
