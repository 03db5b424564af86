import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("stations", "0013_certificates"),
    ]

    operations = [
        migrations.CreateModel(
            name="DefaultTariff",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("evse_id", models.PositiveIntegerField()),
                ("tariff_id", models.CharField(max_length=60)),
                ("currency", models.CharField(max_length=3)),
                ("valid_from", models.DateTimeField(blank=True, null=True)),
                ("tariff", models.JSONField()),
                ("set_at", models.DateTimeField(auto_now_add=True)),
                (
                    "command",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="+",
                        to="stations.command",
                    ),
                ),
                (
                    "station",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="default_tariffs",
                        to="stations.station",
                    ),
                ),
            ],
            options={
                "verbose_name": "default tariff",
                "verbose_name_plural": "default tariffs",
                "ordering": ["station", "evse_id", "valid_from"],
                "constraints": [
                    models.UniqueConstraint(
                        fields=("station", "evse_id", "tariff_id"),
                        name="default_tariff_unique_per_evse",
                    )
                ],
            },
        ),
        migrations.CreateModel(
            name="DerControl",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("control_id", models.CharField(max_length=36)),
                ("control_type", models.CharField(max_length=32)),
                ("is_default", models.BooleanField()),
                ("setting", models.JSONField()),
                ("superseded", models.BooleanField(default=False)),
                ("active", models.BooleanField(default=False)),
                ("set_at", models.DateTimeField(auto_now_add=True)),
                ("updated_at", models.DateTimeField(auto_now=True)),
                (
                    "command",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="+",
                        to="stations.command",
                    ),
                ),
                (
                    "station",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="der_controls",
                        to="stations.station",
                    ),
                ),
            ],
            options={
                "verbose_name": "DER control",
                "verbose_name_plural": "DER controls",
                "ordering": ["station", "control_type", "-is_default", "control_id"],
                "constraints": [
                    models.UniqueConstraint(
                        fields=("station", "is_default", "control_id"),
                        name="der_control_unique_id",
                    )
                ],
            },
        ),
        migrations.CreateModel(
            name="DerControlReport",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("request_id", models.IntegerField()),
                ("controls", models.JSONField(blank=True, default=list)),
                ("pages", models.PositiveIntegerField(default=0)),
                ("complete", models.BooleanField(default=False)),
                ("created_at", models.DateTimeField(auto_now_add=True)),
                ("updated_at", models.DateTimeField(auto_now=True)),
                (
                    "command",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="+",
                        to="stations.command",
                    ),
                ),
                (
                    "station",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="der_control_reports",
                        to="stations.station",
                    ),
                ),
            ],
            options={
                "verbose_name": "DER control report",
                "verbose_name_plural": "DER control reports",
                "ordering": ["-created_at"],
                "constraints": [
                    models.UniqueConstraint(
                        fields=("station", "request_id"),
                        name="der_control_report_unique_request",
                    )
                ],
            },
        ),
        migrations.CreateModel(
            name="PeriodicEventStream",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("stream_id", models.PositiveIntegerField()),
                ("variable_monitoring_id", models.PositiveIntegerField()),
                ("interval", models.PositiveIntegerField(blank=True, null=True)),
                ("values", models.PositiveIntegerField(blank=True, null=True)),
                ("opened_at", models.DateTimeField()),
                ("closed_at", models.DateTimeField(blank=True, null=True)),
                ("updated_at", models.DateTimeField(auto_now=True)),
                (
                    "station",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="periodic_event_streams",
                        to="stations.station",
                    ),
                ),
            ],
            options={
                "verbose_name": "periodic event stream",
                "verbose_name_plural": "periodic event streams",
                "ordering": ["station", "stream_id"],
                "constraints": [
                    models.UniqueConstraint(
                        fields=("station", "stream_id"), name="event_stream_unique_per_station"
                    )
                ],
            },
        ),
    ]
