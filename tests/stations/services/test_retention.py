from __future__ import annotations

from datetime import UTC, datetime, timedelta

from django.core.management import call_command
from django_celery_beat.models import PeriodicTask

from stations.models import MessageLog
from stations.services.jobs import retention
from stations.tasks import purge_message_log

NOW = datetime(2026, 3, 1, tzinfo=UTC)


def log_at(when: datetime) -> MessageLog:
    return MessageLog.objects.create(
        station_identity="CP", direction="in", frame="[2]", created_at=when
    )


def test_frames_older_than_the_retention_are_purged(db, settings):
    settings.OCPP_MESSAGE_LOG_RETENTION_DAYS = 30
    old = log_at(NOW - timedelta(days=31))
    recent = log_at(NOW - timedelta(days=29))
    assert retention.purge_message_log(now=NOW) == 1
    assert list(MessageLog.objects.values_list("pk", flat=True)) == [recent.pk]
    assert not MessageLog.objects.filter(pk=old.pk).exists()


def test_the_purge_task_runs_the_service(db, settings):
    settings.OCPP_MESSAGE_LOG_RETENTION_DAYS = 1
    log_at(datetime.now(UTC) - timedelta(days=2))
    assert purge_message_log.delay().get() == 1


def test_the_purge_is_scheduled_daily(db):
    call_command("setup_periodic_tasks")
    call_command("setup_periodic_tasks")  # idempotent
    task = PeriodicTask.objects.get(task="stations.tasks.purge_message_log")
    assert task.enabled and task.crontab.hour == "3"
