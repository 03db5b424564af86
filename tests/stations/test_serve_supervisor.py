"""`serve --workers N`'s parent when workers keep dying: after more deaths than workers within
a minute it stops restarting them and exits non-zero, for systemd to restart the server.
(tests/stations/ocpp/test_serve_workers.py kills a real worker and sees it replaced.)"""

from __future__ import annotations

import socket
import sys
import time

import pytest
from django.core.management.base import CommandError

from stations.management.commands import serve


def test_workers_dying_faster_than_there_are_workers_stop_the_server(monkeypatch, caplog):
    started = []

    def dies_at_once(fd: int) -> list[str]:
        started.append(fd)
        return [sys.executable, "-c", "raise SystemExit(3)"]

    monkeypatch.setattr(serve, "worker_argv", dies_at_once)
    monkeypatch.setattr(serve, "RESTART_DELAY_SECONDS", 0.05)
    listeners = [socket.socket() for _ in range(2)]
    begun = time.monotonic()
    try:
        with pytest.raises(CommandError, match="died 3 times within 60 s"):
            serve.Supervisor(listeners).run()
    finally:
        for listener in listeners:
            listener.close()
    # Dead workers were started again until the third death, one more than there are workers.
    assert len(started) > 2
    assert time.monotonic() - begun < 10
    assert caplog.text.count("event='serve.worker_died' exit_code=3") == 3
    assert "event='serve.crash_loop' deaths=3" in caplog.text
