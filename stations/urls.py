"""Files stations fetch or upload, and staff downloads of uploads (mounted under files/)."""

from __future__ import annotations

from django.urls import path

from .views import files

app_name = "stations"

urlpatterns = [
    path("firmware/<str:token>/", files.firmware_download, name="firmware_download"),
    path("upload/<str:token>/", files.station_upload, name="station_upload"),
    path("jobs/<int:job_id>/download/", files.job_download, name="job_download"),
]
