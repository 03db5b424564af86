"""Create or update the Celery beat schedules (kept in code, `backoffice/schedules.py`, not
edited by hand in admin)."""

from __future__ import annotations

from django.core.management.base import BaseCommand
from django_celery_beat.models import CrontabSchedule, PeriodicTask

from backoffice.schedules import SCHEDULES


class Command(BaseCommand):
    help = "Create or update the periodic tasks run by celery beat."

    def handle(self, *args: object, **options: object) -> None:
        for name, (task, crontab) in SCHEDULES.items():
            schedule, _ = CrontabSchedule.objects.get_or_create(**crontab, timezone="UTC")
            PeriodicTask.objects.update_or_create(
                name=name, defaults={"task": task, "crontab": schedule, "enabled": True}
            )
            self.stdout.write(f"{name}: {task} at {crontab}")
