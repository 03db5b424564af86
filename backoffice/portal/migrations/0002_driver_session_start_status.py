# Written by hand: the field, then the start status of existing rows worked out from what
# they hold (their transaction, their remote start's outcome, the old "start_failed" marker in
# `notified`, which the charging service put there for a start that did not happen).

from django.db import migrations, models

START_FAILED = "start_failed"
# Command.State of a remote start that did not happen -> the start status it means.
FAILED_BY_COMMAND_STATE = {
    "offline": "offline",
    "timed_out": "timeout",
    "call_error": "error",
}


def forwards(apps, schema_editor):
    DriverSession = apps.get_model("portal", "DriverSession")
    Notification = apps.get_model("portal", "Notification")
    rows = DriverSession.objects.select_related("start_command").only(
        "pk", "transaction_id", "notified", "start_command__state", "start_command__result_status"
    )
    for session in rows.iterator():
        command = session.start_command
        marked = START_FAILED in (session.notified or [])
        notified = session.notified
        if session.transaction_id is not None:
            status = "accepted" if command is not None else "card"
        elif command is not None and command.result_status == "Accepted":
            # Accepted and never started: told by the periodic check (which left the marker).
            status = "not_started" if marked else "accepted"
        elif marked:
            status = "refused"
            if command is not None:
                status = FAILED_BY_COMMAND_STATE.get(command.state, "refused")
            told = Notification.objects.filter(driver_session_id=session.pk, kind=START_FAILED)
            if not told.exists():
                # Only the old marker, no notification given: the status holds it now.
                notified = [kind for kind in notified if kind != START_FAILED]
        else:
            status = "requested"
        DriverSession.objects.filter(pk=session.pk).update(start_status=status, notified=notified)


def backwards(apps, schema_editor):
    # The marker back on starts that did not happen (what the old code read).
    DriverSession = apps.get_model("portal", "DriverSession")
    failed = DriverSession.objects.filter(
        transaction__isnull=True, start_status__in=["refused", "offline", "timeout", "error"]
    )
    for session in failed.only("pk", "notified").iterator():
        if START_FAILED not in session.notified:
            DriverSession.objects.filter(pk=session.pk).update(
                notified=[*session.notified, START_FAILED]
            )


class Migration(migrations.Migration):
    dependencies = [("portal", "0001_initial")]

    operations = [
        migrations.AddField(
            model_name="driversession",
            name="start_status",
            field=models.CharField(
                choices=[
                    ("requested", "start requested"),
                    ("accepted", "accepted by the charger"),
                    ("refused", "refused by the charger"),
                    ("offline", "charger offline"),
                    ("timeout", "no answer from the charger"),
                    ("error", "the charger could not take the request"),
                    ("not_started", "accepted, but never started"),
                    ("card", "started at the charger"),
                ],
                default="requested",
                max_length=12,
                verbose_name="start",
            ),
        ),
        migrations.RunPython(forwards, backwards),
    ]
