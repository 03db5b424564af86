"""Request bodies are refused by the real server before it reads them (issue 11, hole 3).

Each case talks raw HTTP/1.1 to `manage.py serve` (daphne) over a socket, so it sees what a
client sees: the answer arrives while the client is still sending, and the server process's
memory does not grow by the body.
"""

from __future__ import annotations

import select
import socket
import time
import urllib.request
from dataclasses import dataclass
from pathlib import Path

import pytest
from django.conf import settings

from stations.models import StationJob
from stations.services.jobs import files
from tests.factories.stations import StationFactory
from tests.server import start_server

MiB = 1024 * 1024
_CHUNK = b"x" * (64 * 1024)


@dataclass
class Outcome:
    status: int
    body: bytes
    sent: int  # body bytes the client got out before the answer came


def rss_kib(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    raise AssertionError("no VmRSS")


def send(port: int, head: str, *, chunked_total: int = 0, timeout: float = 30) -> Outcome:
    """Send `head`, then up to `chunked_total` bytes of chunked body, stopping at the answer."""
    sent = 0
    with socket.create_connection(("127.0.0.1", port), timeout=timeout) as sock:
        sock.sendall(head.encode())
        deadline = time.monotonic() + timeout
        try:
            while sent < chunked_total and time.monotonic() < deadline:
                if select.select([sock], [], [], 0)[0]:
                    break  # the server answered: stop sending
                sock.sendall(b"%x\r\n%s\r\n" % (len(_CHUNK), _CHUNK))
                sent += len(_CHUNK)
            else:
                if chunked_total:
                    sock.sendall(b"0\r\n\r\n")
        except (BrokenPipeError, ConnectionResetError):
            pass  # refused and closed; the answer is already in our buffer
        answer = _read_answer(sock, deadline)
    status = int(answer.split(b" ", 2)[1])
    return Outcome(status=status, body=answer.split(b"\r\n\r\n", 1)[1], sent=sent)


def _read_answer(sock: socket.socket, deadline: float) -> bytes:
    answer = b""
    while time.monotonic() < deadline:
        try:
            data = sock.recv(65536)
        except ConnectionResetError:
            break
        if not data:
            break
        answer += data
        head, _, body = answer.partition(b"\r\n\r\n")
        if _ and b"content-length:" in head.lower():
            length = int(head.lower().split(b"content-length:")[1].split(b"\r\n")[0])
            if len(body) >= length:
                break
    return answer


def chunked_put(path: str) -> str:
    return (
        f"PUT {path} HTTP/1.1\r\nHost: 127.0.0.1\r\n"
        "Content-Type: application/octet-stream\r\nTransfer-Encoding: chunked\r\n\r\n"
    )


@pytest.fixture
def upload_job(server):
    return StationJob.objects.create(
        station=StationFactory(), kind=StationJob.Kind.DIAGNOSTICS, request_id=1
    )


def upload_path(job: StationJob) -> str:
    return f"/files/upload/{files.upload_token(job=job)}/"


def test_a_garbage_upload_url_is_refused_before_its_body_is_read(server):
    pid = server.process.pid
    before = rss_kib(pid)
    outcome = send(server.port, chunked_put("/files/upload/garbage/"), chunked_total=64 * MiB)
    assert outcome.status == 403
    assert outcome.body.decode() == files.BAD_TOKEN
    # Answered while the client was still sending, and nothing of the body was kept.
    assert outcome.sent < 16 * MiB
    assert rss_kib(pid) - before < 8 * 1024


def test_a_declared_length_over_the_cap_is_refused_without_sending_it(server):
    head = (
        "POST /api/v1/auth/token/ HTTP/1.1\r\nHost: 127.0.0.1\r\n"
        f"Content-Type: application/json\r\nContent-Length: {1024 * MiB}\r\n\r\n"
    )
    started = time.monotonic()
    outcome = send(server.port, head)
    assert outcome.status == 413
    assert time.monotonic() - started < 5


def test_a_chunked_body_is_cut_at_the_cap_on_any_route(server):
    pid = server.process.pid
    before = rss_kib(pid)
    head = chunked_put("/api/v1/me/tokens/").replace("PUT", "POST", 1)
    outcome = send(server.port, head, chunked_total=6 * settings.HTTP_MAX_BODY_BYTES)
    assert outcome.status == 413
    assert outcome.sent < 3 * settings.HTTP_MAX_BODY_BYTES
    assert rss_kib(pid) - before < settings.HTTP_MAX_BODY_BYTES // 1024


def test_an_upload_with_a_valid_token_is_cut_at_the_station_upload_cap(server, upload_job):
    limit = settings.STATION_UPLOAD_MAX_BYTES
    outcome = send(server.port, chunked_put(upload_path(upload_job)), chunked_total=3 * limit)
    assert outcome.status == 413
    assert outcome.sent < 2 * limit
    upload_job.refresh_from_db()
    assert not upload_job.file


def test_a_legit_upload_through_the_server_is_kept_once(server, upload_job):
    url = server.http_url + upload_path(upload_job)
    content = b"DIAGNOSTICS " * 20_000  # about 240 KB
    request = urllib.request.Request(url, data=content, method="PUT")  # noqa: S310 (loopback)
    with urllib.request.urlopen(request, timeout=10) as response:  # noqa: S310
        assert response.status == 201
    upload_job.refresh_from_db()
    assert upload_job.file.read() == content
    # The URL is spent: the server answers 403 and the file stays.
    again = send(server.port, chunked_put(upload_path(upload_job)), chunked_total=MiB)
    assert again.status == 403
    assert again.body.decode() == files.UPLOAD_SPENT


def multipart_head(path: str, length: int, boundary: str) -> str:
    return (
        f"POST {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n"
        f"Content-Type: multipart/form-data; boundary={boundary}\r\n"
        f"Content-Length: {length}\r\n\r\n"
    )


def send_multipart(port: int, path: str, size: int) -> Outcome:
    """POST a `file` part of `size` bytes with its Content-Length, in 64 kB writes."""
    boundary = "b0undary"
    opening = (
        f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="big.bin"\r\n'
        "Content-Type: application/octet-stream\r\n\r\n"
    ).encode()
    closing = f"\r\n--{boundary}--\r\n".encode()
    with socket.create_connection(("127.0.0.1", port), timeout=60) as sock:
        sock.sendall(multipart_head(path, len(opening) + size + len(closing), boundary).encode())
        sock.sendall(opening)
        for start in range(0, size, len(_CHUNK)):
            sock.sendall(_CHUNK[: min(len(_CHUNK), size - start)])
        sock.sendall(closing)
        answer = _read_answer(sock, time.monotonic() + 60)
    return Outcome(int(answer.split(b" ", 2)[1]), answer.split(b"\r\n\r\n", 1)[1], size)


@pytest.fixture
def fresh_server(server):
    """A server process of its own: memory an earlier test took cannot hide a regression."""
    from django.db import connection

    fresh = start_server(
        database_name=connection.settings_dict["NAME"], channel_prefix=settings.CHANNEL_PREFIX
    )
    # Warmed up: the first requests import and cache what every later one uses.
    for _ in range(3):
        send_multipart(fresh.port, "/admin/stations/firmwarefile/add/", 256 * 1024)
    yield fresh
    fresh.stop()


def test_a_large_legit_upload_is_not_held_in_memory(fresh_server, upload_job):
    # 40 MiB, under the 50 MiB cap: it goes to disk and to the view in chunks, not to RAM.
    pid = fresh_server.process.pid
    before = rss_kib(pid)
    outcome = send_multipart(fresh_server.port, upload_path(upload_job), 40 * MiB)
    assert outcome.status == 201, outcome.body
    assert rss_kib(pid) - before < 16 * 1024
    upload_job.refresh_from_db()
    assert upload_job.file.size == 40 * MiB


def test_a_large_form_to_a_page_that_needs_sign_in_is_not_held_in_memory(fresh_server):
    # The firmware admin takes large bodies; a stranger's is refused without piling up in RAM.
    pid = fresh_server.process.pid
    before = rss_kib(pid)
    outcome = send_multipart(fresh_server.port, "/admin/stations/firmwarefile/add/", 40 * MiB)
    assert outcome.status in (302, 403)
    assert rss_kib(pid) - before < 16 * 1024
