"""Files over HTTP: firmware downloads and uploads by token, staff downloads of uploads."""

from __future__ import annotations

from datetime import timedelta

import pytest
import time_machine
from django.core.files.base import ContentFile
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from stations.models import FirmwareFile, StationJob
from stations.services.jobs import files
from tests.factories.accounts import StaffProfileFactory
from tests.factories.stations import StationFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


@pytest.fixture
def station():
    return StationFactory()


@pytest.fixture
def firmware():
    return FirmwareFile.objects.create(
        name="ACME", version="2.0", file=ContentFile(b"FIRMWARE", name="acme-2.0.bin")
    )


@pytest.fixture
def firmware_job(station, firmware):
    return StationJob.objects.create(
        station=station, kind=StationJob.Kind.FIRMWARE, firmware=firmware, request_id=7
    )


@pytest.fixture
def upload_job(station):
    return StationJob.objects.create(
        station=station, kind=StationJob.Kind.DIAGNOSTICS, request_id=8, file_name="diag.zip"
    )


def firmware_url(job: StationJob) -> str:
    return reverse("stations:firmware_download", args=[files.firmware_token(job=job)])


def upload_url(job: StationJob) -> str:
    return reverse("stations:station_upload", args=[files.upload_token(job=job)])


def body(response) -> bytes:
    return b"".join(response.streaming_content)


# --- firmware --------------------------------------------------------------------------------


def test_a_station_downloads_its_firmware(client, firmware_job):
    response = client.get(firmware_url(firmware_job))
    assert response.status_code == 200
    assert body(response) == b"FIRMWARE"


def test_the_public_url_is_built_on_the_configured_base(settings, firmware_job):
    settings.BACKOFFICE_PUBLIC_URL = "https://cs.example.org/"
    url = files.firmware_url(job=firmware_job)
    assert url.startswith("https://cs.example.org/files/firmware/")


def test_a_forged_firmware_token_is_refused(client):
    response = client.get(reverse("stations:firmware_download", args=["not-a-token"]))
    assert response.status_code == 403


def test_an_upload_token_does_not_open_firmware(client, firmware_job):
    # Salts differ per purpose: a token for one use is worthless for the other.
    token = files.upload_token(job=firmware_job)
    response = client.get(reverse("stations:firmware_download", args=[token]))
    assert response.status_code == 403


def test_another_stations_firmware_token_is_refused(client, firmware_job, firmware):
    other = StationFactory()
    other_job = StationJob.objects.create(station=other, kind=StationJob.Kind.FIRMWARE)
    # A token naming this job but another station (or another firmware) opens nothing.
    forged = StationJob(pk=firmware_job.pk, station=other, firmware=firmware)
    assert client.get(firmware_url(forged)).status_code == 403
    assert client.get(firmware_url(other_job)).status_code == 403


def test_an_expired_firmware_token_is_refused(client, firmware_job):
    url = firmware_url(firmware_job)
    later = timezone.now() + files.FIRMWARE_TOKEN_MAX_AGE + timedelta(minutes=1)
    with time_machine.travel(later):
        assert client.get(url).status_code == 403


# --- uploads ---------------------------------------------------------------------------------


def test_a_station_uploads_with_put(client, upload_job):
    response = client.put(
        upload_url(upload_job), data=b"PUT BODY", content_type="application/octet-stream"
    )
    assert response.status_code == 201
    upload_job.refresh_from_db()
    assert upload_job.file.read() == b"PUT BODY"
    assert upload_job.file.name.endswith("diag.zip")
    assert upload_job.uploaded_at is not None


def test_a_station_uploads_a_multipart_post_without_csrf(upload_job):
    client = Client(enforce_csrf_checks=True)
    response = client.post(
        upload_url(upload_job), {"file": ContentFile(b"POSTED", name="station-log.txt")}
    )
    assert response.status_code == 201
    upload_job.refresh_from_db()
    assert upload_job.file.read() == b"POSTED"
    assert upload_job.file.name.endswith("station-log.txt")


def test_an_upload_url_is_spent_by_its_first_upload(client, upload_job, media):
    url = upload_url(upload_job)
    first_put = client.put(url, data=b"FIRST", content_type="application/octet-stream")
    assert first_put.status_code == 201
    upload_job.refresh_from_db()
    first, uploaded_at = upload_job.file.name, upload_job.uploaded_at
    # Later, by PUT or multipart POST, even before the token expires: refused, the file stays.
    with time_machine.travel(timezone.now() + timedelta(days=1)):
        again = client.put(url, data=b"SECOND", content_type="application/octet-stream")
        posted = client.post(url, {"file": ContentFile(b"THIRD", name="other.zip")})
    assert again.status_code == posted.status_code == 403
    assert again.content.decode() == files.UPLOAD_SPENT
    upload_job.refresh_from_db()
    assert (upload_job.file.name, upload_job.uploaded_at) == (first, uploaded_at)
    assert upload_job.file.read() == b"FIRST"
    assert [p.name for p in (media / first).parent.iterdir()] == ["diag.zip"]


def test_a_second_upload_racing_the_first_is_refused_by_the_service(upload_job):
    # Both passed the token check before either stored: the locked job keeps the first.
    files.store_upload(job_id=upload_job.pk, content=ContentFile(b"FIRST"))
    with pytest.raises(files.BadToken) as refused:
        files.store_upload(job_id=upload_job.pk, content=ContentFile(b"SECOND"))
    assert refused.value.message == files.UPLOAD_SPENT
    upload_job.refresh_from_db()
    assert upload_job.file.read() == b"FIRST"


def test_an_upload_token_dated_in_the_future_is_refused(client, upload_job):
    # Signed with our key but a clock a day ahead: never one of ours, so refused at once.
    with time_machine.travel(timezone.now() + timedelta(days=1)):
        url = upload_url(upload_job)
    response = client.put(url, data=b"X", content_type="application/octet-stream")
    assert response.status_code == 403
    upload_job.refresh_from_db()
    assert not upload_job.file


def test_a_firmware_token_dated_in_the_future_is_refused(client, firmware_job):
    with time_machine.travel(timezone.now() + timedelta(days=1)):
        url = firmware_url(firmware_job)
    assert client.get(url).status_code == 403


def test_a_token_signed_a_few_seconds_ahead_is_taken(client, upload_job):
    # Processes' clocks differ a little; a token from a worker a few seconds ahead still works.
    with time_machine.travel(timezone.now() + timedelta(seconds=5)):
        url = upload_url(upload_job)
    assert client.put(url, data=b"X", content_type="application/octet-stream").status_code == 201


def test_a_multipart_without_a_file_is_a_bad_request(client, upload_job):
    assert client.post(upload_url(upload_job), {"note": "x"}).status_code == 400


def test_an_upload_over_the_limit_is_refused(client, settings, upload_job):
    settings.STATION_UPLOAD_MAX_BYTES = 4
    response = client.put(
        upload_url(upload_job), data=b"TOO LARGE", content_type="application/octet-stream"
    )
    assert response.status_code == 413
    upload_job.refresh_from_db()
    assert not upload_job.file


def test_an_upload_with_a_bad_token_is_refused(client, upload_job):
    url = reverse("stations:station_upload", args=["bad:token"])
    assert client.put(url, data=b"X", content_type="text/plain").status_code == 403


def test_an_upload_token_for_another_job_is_refused(client, upload_job, station):
    # The token for a job that no longer exists, or another station's id on this job.
    gone = StationJob.objects.create(station=station, kind=StationJob.Kind.LOG)
    url = upload_url(gone)
    gone.delete()
    assert client.put(url, data=b"X", content_type="text/plain").status_code == 403
    forged = StationJob(pk=upload_job.pk, station=StationFactory(), kind=upload_job.kind)
    assert client.put(upload_url(forged), data=b"X", content_type="text/plain").status_code == 403


def test_an_upload_to_a_firmware_job_is_refused(client, firmware_job):
    url = upload_url(firmware_job)
    assert client.put(url, data=b"X", content_type="text/plain").status_code == 403


def test_an_expired_upload_token_is_refused(client, upload_job):
    url = upload_url(upload_job)
    later = timezone.now() + files.UPLOAD_TOKEN_MAX_AGE + timedelta(minutes=1)
    with time_machine.travel(later):
        response = client.put(url, data=b"X", content_type="text/plain")
    assert response.status_code == 403


def test_the_upload_url_takes_only_put_and_post(client, upload_job):
    assert client.get(upload_url(upload_job)).status_code == 405


# --- operators download uploads --------------------------------------------------------------


@pytest.fixture
def uploaded_job(upload_job):
    return files.store_upload(job_id=upload_job.pk, content=ContentFile(b"DIAG"))


def download_url(job: StationJob) -> str:
    return reverse("stations:job_download", args=[job.pk])


def test_staff_download_an_uploaded_file(admin_client, uploaded_job):
    response = admin_client.get(download_url(uploaded_job))
    assert response.status_code == 200
    assert body(response) == b"DIAG"
    assert "diag.zip" in response["Content-Disposition"]


def test_an_anonymous_download_goes_to_login(client, uploaded_job):
    response = client.get(download_url(uploaded_job))
    assert response.status_code == 302
    assert "login" in response["Location"]


def test_a_driver_gets_404(client, driver, uploaded_job):
    client.force_login(driver)
    assert client.get(download_url(uploaded_job)).status_code == 404


def test_an_operator_of_the_site_downloads_without_is_staff(client, uploaded_job):
    # The role and its sites decide, not Django's is_staff flag (admin access).
    site_operator = StaffProfileFactory(sites=[uploaded_job.station.site]).user
    assert not site_operator.is_staff
    client.force_login(site_operator)
    response = client.get(download_url(uploaded_job))
    assert response.status_code == 200
    assert body(response) == b"DIAG"


def test_an_operator_of_another_site_gets_404(client, django_user_model, other_site_operator):
    # Even with is_staff, the job of a station outside their sites does not exist for them.
    django_user_model.objects.filter(pk=other_site_operator.pk).update(is_staff=True)
    job = files.store_upload(
        job_id=StationJob.objects.create(
            station=StationFactory(), kind=StationJob.Kind.LOG, request_id=9
        ).pk,
        content=ContentFile(b"SITE B LOG"),
    )
    client.force_login(other_site_operator)
    assert client.get(download_url(job)).status_code == 404


def test_a_viewer_who_sees_the_station_gets_403(client, viewer, uploaded_job):
    client.force_login(viewer)
    assert client.get(download_url(uploaded_job)).status_code == 403


def test_a_job_without_a_file_is_404(admin_client, upload_job):
    assert admin_client.get(download_url(upload_job)).status_code == 404


def test_the_job_admin_links_to_the_download(admin_client, uploaded_job):
    response = admin_client.get(reverse("admin:stations_stationjob_change", args=[uploaded_job.pk]))
    assert download_url(uploaded_job).encode() in response.content


def test_an_operator_uploads_firmware_in_the_admin(admin_client, admin_user):
    response = admin_client.post(
        reverse("admin:stations_firmwarefile_add"),
        {"name": "ACME", "version": "3.0", "file": ContentFile(b"NEW", name="acme-3.0.bin")},
    )
    assert response.status_code == 302
    firmware = FirmwareFile.objects.get(version="3.0")
    assert firmware.uploaded_by == admin_user
    assert firmware.file.read() == b"NEW"
