"""Files over HTTP: stations fetch firmware and upload diagnostics and logs with a signed,
expiring per-job URL; staff download what stations uploaded.

Stations hold no session and no CSRF token: the token in the URL is their only credential.
"""

from __future__ import annotations

import os
import tempfile

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.files import File
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_http_methods

from stations import selectors
from stations.services.jobs import files

_CHUNK = 64 * 1024


@require_GET
def firmware_download(request: HttpRequest, token: str) -> HttpResponseBase:
    try:
        firmware = files.firmware_for_token(token)
    except files.BadToken as err:
        return HttpResponse(err.message, status=403, content_type="text/plain")
    return FileResponse(
        firmware.file.open("rb"),
        as_attachment=True,
        filename=os.path.basename(firmware.file.name or "firmware.bin"),
    )


@csrf_exempt
@require_http_methods(["PUT", "POST"])
def station_upload(request: HttpRequest, token: str) -> HttpResponse:
    try:
        job = files.job_for_upload_token(token)
        return _receive(request, job_id=job.pk)
    except files.BadToken as err:
        # Forged, expired, or spent by an earlier upload (then the first file stays).
        return HttpResponse(err.message, status=403, content_type="text/plain")


def _receive(request: HttpRequest, *, job_id: int) -> HttpResponse:
    limit = settings.STATION_UPLOAD_MAX_BYTES
    if _declared_length(request) > limit:
        return _too_large()
    if request.content_type == "multipart/form-data":
        if request.method == "POST":
            uploaded = request.FILES.get("file")
        else:
            uploaded = request.parse_file_upload(request.META, request)[1].get("file")
        if uploaded is None:
            return HttpResponse("No 'file' part.", status=400, content_type="text/plain")
        if uploaded.size is not None and uploaded.size > limit:
            return _too_large()
        files.store_upload(job_id=job_id, content=uploaded, name=uploaded.name or "")
        return HttpResponse(status=201)
    with tempfile.SpooledTemporaryFile(max_size=1024 * 1024) as body:
        size = 0
        # Read in chunks and count: a chunked upload gives no Content-Length to check first.
        while chunk := request.read(_CHUNK):
            size += len(chunk)
            if size > limit:
                return _too_large()
            body.write(chunk)
        body.seek(0)
        files.store_upload(job_id=job_id, content=File(body))
    return HttpResponse(status=201)


@login_required
@require_GET
def job_download(request: HttpRequest, job_id: int) -> HttpResponseBase:
    # Jobs of stations outside the user's sites do not exist for them (ids are not probed).
    job = selectors.station_job_for(user=request.user, pk=job_id)
    if not selectors.can_download_uploads(user=request.user):
        raise PermissionDenied
    if not job.file:
        raise Http404
    return FileResponse(
        job.file.open("rb"),
        as_attachment=True,
        filename=os.path.basename(job.file.name or "upload"),
    )


def _declared_length(request: HttpRequest) -> int:
    try:
        return int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        return 0  # counted while reading instead


def _too_large() -> HttpResponse:
    return HttpResponse("The file is too large.", status=413, content_type="text/plain")
