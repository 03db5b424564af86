import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0002_id_tokens_up_to_255"),
        ("stations", "0010_smart_charging"),
    ]

    operations = [
        migrations.AddField(
            model_name="firmwarefile",
            name="signature",
            field=models.TextField(blank=True, max_length=800, verbose_name="signature (base64)"),
        ),
        migrations.AddField(
            model_name="firmwarefile",
            name="signing_certificate",
            field=models.TextField(
                blank=True, max_length=5500, verbose_name="signing certificate (PEM)"
            ),
        ),
        migrations.CreateModel(
            name="LocalAuthList",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                (
                    "version",
                    models.PositiveIntegerField(default=0, verbose_name="confirmed version"),
                ),
                (
                    "station_version",
                    models.IntegerField(
                        blank=True, null=True, verbose_name="version the station reported"
                    ),
                ),
                ("station_version_at", models.DateTimeField(blank=True, null=True)),
                ("last_update_type", models.CharField(blank=True, max_length=12)),
                ("last_status", models.CharField(blank=True, max_length=20)),
                ("last_sent_at", models.DateTimeField(blank=True, null=True)),
                ("sending_since", models.DateTimeField(blank=True, null=True)),
                (
                    "last_command",
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
                    models.OneToOneField(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="local_list",
                        to="stations.station",
                    ),
                ),
            ],
            options={
                "verbose_name": "local authorization list",
                "verbose_name_plural": "local authorization lists",
            },
        ),
        migrations.CreateModel(
            name="LocalListEntry",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("id_tag", models.CharField(max_length=255, verbose_name="id token")),
                ("wanted", models.BooleanField(default=True)),
                ("sent_info", models.JSONField(blank=True, null=True)),
                ("created_at", models.DateTimeField(auto_now_add=True)),
                ("updated_at", models.DateTimeField(auto_now=True)),
                (
                    "id_token",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="local_list_entries",
                        to="accounts.idtoken",
                    ),
                ),
                (
                    "local_list",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="entries",
                        to="stations.localauthlist",
                    ),
                ),
            ],
            options={
                "verbose_name": "local list entry",
                "verbose_name_plural": "local list entries",
                "ordering": ["local_list", "id_tag"],
                "constraints": [
                    models.UniqueConstraint(
                        fields=("local_list", "id_tag"), name="local_list_entry_unique"
                    )
                ],
            },
        ),
        migrations.CreateModel(
            name="DeviceReportRequest",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("request_id", models.IntegerField()),
                ("report_base", models.CharField(blank=True, max_length=30)),
                ("criteria", models.JSONField(blank=True, default=dict)),
                ("status", models.CharField(blank=True, max_length=20)),
                ("pages", models.PositiveIntegerField(default=0)),
                ("completed_at", models.DateTimeField(blank=True, null=True)),
                ("pruned_variables", models.PositiveIntegerField(default=0)),
                ("created_at", models.DateTimeField(auto_now_add=True)),
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
                        related_name="device_report_requests",
                        to="stations.station",
                    ),
                ),
            ],
            options={
                "verbose_name": "device report request",
                "verbose_name_plural": "device report requests",
                "ordering": ["-created_at"],
                "constraints": [
                    models.UniqueConstraint(
                        fields=("station", "request_id"), name="device_report_request_unique"
                    )
                ],
            },
        ),
    ]
