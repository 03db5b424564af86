"""DriverSession.limit_sent records the limits told to a station in domain terms (energy_wh,
duration_seconds, cost) instead of the OCPP 2.1 TransactionLimitType's field names: the
portal no longer knows the wire format (the 2.1 adapter renders it)."""

from django.db import migrations

_RENAMES = {"maxEnergy": "energy_wh", "maxTime": "duration_seconds", "maxCost": "cost"}


def _rename(apps, schema_editor, renames):
    DriverSession = apps.get_model("portal", "DriverSession")
    for session in DriverSession.objects.exclude(limit_sent=None).only("pk", "limit_sent"):
        record = {renames.get(key, key): value for key, value in session.limit_sent.items()}
        if record != session.limit_sent:
            DriverSession.objects.filter(pk=session.pk).update(limit_sent=record)


def forwards(apps, schema_editor):
    _rename(apps, schema_editor, _RENAMES)


def backwards(apps, schema_editor):
    _rename(apps, schema_editor, {new: old for old, new in _RENAMES.items()})


class Migration(migrations.Migration):
    dependencies = [("portal", "0002_driver_session_start_status")]

    operations = [migrations.RunPython(forwards, backwards)]
