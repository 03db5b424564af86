"""Files stations fetch or upload over HTTP, reached through signed, expiring per-job URLs.

A token is a TimestampSigner signature (its own salt per purpose) over the job id, the
station id and, for firmware, the firmware id. A token is honoured only while the job it names
still belongs to that station (and, for firmware, still points at that firmware), so a token
made for one station or job opens nothing else. A token dated in the future is refused: we
never sign one, so it is forged or made on a machine whose clock is wrong. An upload token is
spent by the first upload it carries: the file a station sent cannot be replaced through its
URL afterwards.
"""

from __future__ import annotations

import os
from datetime import timedelta
from typing import Any

import structlog
from django.conf import settings
from django.core import signing
from django.core.files import File
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.text import get_valid_filename

from stations.models import FirmwareFile, StationJob

log = structlog.get_logger(__name__)

FIRMWARE_SALT = "stations.files.firmware"
UPLOAD_SALT = "stations.files.upload"
# A station may fetch firmware long after the command (its retrieve date, then retries).
FIRMWARE_TOKEN_MAX_AGE = timedelta(days=30)
UPLOAD_TOKEN_MAX_AGE = timedelta(days=2)
_UPLOAD_KINDS = frozenset({StationJob.Kind.DIAGNOSTICS, StationJob.Kind.LOG})

# Clocks of the processes signing and checking tokens may differ by this much.
_CLOCK_SKEW = timedelta(seconds=60)

BAD_TOKEN = "This link is not valid or has expired."  # noqa: S105 (a message, not a secret)
UPLOAD_SPENT = "This upload link was already used."


class BadToken(Exception):
    """The token is forged, expired, spent, or names a job that is not its station's."""

    def __init__(self, message: str = BAD_TOKEN) -> None:
        super().__init__(message)
        self.message = message


# --- tokens ----------------------------------------------------------------------------------


def firmware_token(*, job: StationJob) -> str:
    return _sign(
        FIRMWARE_SALT, {"job": job.pk, "station": job.station_id, "firmware": job.firmware_id}
    )


def upload_token(*, job: StationJob) -> str:
    return _sign(UPLOAD_SALT, {"job": job.pk, "station": job.station_id})


def firmware_url(*, job: StationJob) -> str:
    return _public_url(reverse("stations:firmware_download", args=[firmware_token(job=job)]))


def upload_url(*, job: StationJob) -> str:
    return _public_url(reverse("stations:station_upload", args=[upload_token(job=job)]))


def firmware_for_token(token: str) -> FirmwareFile:
    """The firmware the token lets its station fetch. Raises BadToken."""
    data = _unsign(
        FIRMWARE_SALT, token, FIRMWARE_TOKEN_MAX_AGE, keys=("job", "station", "firmware")
    )
    job = (
        StationJob.objects.select_related("firmware")
        .filter(
            pk=data["job"],
            station_id=data["station"],
            kind=StationJob.Kind.FIRMWARE,
            firmware_id=data["firmware"],
        )
        .first()
    )
    if job is None or job.firmware is None:
        raise BadToken(BAD_TOKEN)
    return job.firmware


def check_upload_token(token: str) -> dict[str, int]:
    """The job and station ids an upload token carries, if it is ours, unexpired and not dated
    in the future. No query: the server asks before it reads the body. Raises BadToken."""
    return _unsign(UPLOAD_SALT, token, UPLOAD_TOKEN_MAX_AGE, keys=("job", "station"))


def job_for_upload_token(token: str) -> StationJob:
    """The diagnostics or log job the token lets its station upload to, if nothing was
    uploaded to it yet. Raises BadToken (with UPLOAD_SPENT once an upload landed)."""
    data = check_upload_token(token)
    job = StationJob.objects.filter(
        pk=data["job"], station_id=data["station"], kind__in=_UPLOAD_KINDS
    ).first()
    if job is None:
        raise BadToken(BAD_TOKEN)
    if job.uploaded_at is not None:
        raise BadToken(UPLOAD_SPENT)
    return job


# --- uploads ---------------------------------------------------------------------------------


def store_upload(*, job_id: int, content: File[bytes], name: str = "") -> StationJob:
    """Keep the file a station uploaded on its job; the job's upload token is spent then.

    Raises BadToken(UPLOAD_SPENT) when the job already holds an upload.
    """
    with transaction.atomic():
        # Locked so that of two concurrent uploads with one token only the first is kept.
        job = StationJob.objects.select_for_update().get(pk=job_id)
        if job.uploaded_at is not None:
            log.warning("files.upload_spent", job_id=job.pk, station_id=job.station_id)
            raise BadToken(UPLOAD_SPENT)
        previous = job.file.name if job.file else ""
        filename = get_valid_filename(
            os.path.basename(name or job.file_name) or f"{job.kind}-{job.pk}"
        )
        job.file.save(f"{job.station_id}/{job.pk}/{filename}", content, save=False)
        if not job.file_name:
            job.file_name = filename[:255]
        job.uploaded_at = timezone.now()
        job.save(update_fields=["file", "file_name", "uploaded_at", "updated_at"])
    if previous and previous != job.file.name:
        job.file.storage.delete(previous)
    return job


# --- helpers ---------------------------------------------------------------------------------


def _sign(salt: str, data: dict[str, Any]) -> str:
    return signing.TimestampSigner(salt=salt).sign_object(data, compress=True)


def _unsign(salt: str, token: str, max_age: timedelta, keys: tuple[str, ...]) -> dict[str, int]:
    """The ids a token carries; BadToken unless it is ours, unexpired and holds each of `keys`."""
    signer = signing.TimestampSigner(salt=salt)
    try:
        data = signer.unsign_object(token, max_age=max_age)
        # TimestampSigner takes a negative age (a date in the future) as fresh: read the date.
        signed = signing.Signer.unsign(signer, token)  # "<payload>:<timestamp>", checked
        signed_at = signing.b62_decode(signed.rsplit(signer.sep, 1)[1])
    except (signing.BadSignature, ValueError):  # SignatureExpired is a BadSignature too
        raise BadToken(BAD_TOKEN) from None
    if signed_at > (timezone.now() + _CLOCK_SKEW).timestamp():
        raise BadToken(BAD_TOKEN)
    if not isinstance(data, dict) or not all(isinstance(data.get(key), int) for key in keys):
        raise BadToken(BAD_TOKEN)
    return {key: data[key] for key in keys}


def _public_url(path: str) -> str:
    base: str = settings.BACKOFFICE_PUBLIC_URL
    return base.rstrip("/") + path
