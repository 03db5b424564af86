import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("stations", "0011_local_list_and_reports"),
    ]

    operations = [
        migrations.CreateModel(
            name="CustomerInformationRequest",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("request_id", models.IntegerField()),
                ("report", models.BooleanField(default=False)),
                ("clear", models.BooleanField(default=False)),
                ("id_token", models.CharField(blank=True, max_length=255)),
                ("id_token_type", models.CharField(blank=True, max_length=20)),
                ("customer_identifier", models.CharField(blank=True, max_length=64)),
                ("customer_certificate", models.JSONField(blank=True, default=dict)),
                ("pages", models.JSONField(blank=True, default=dict)),
                ("last_seq_no", models.PositiveIntegerField(blank=True, null=True)),
                ("data", models.TextField(blank=True)),
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
                        related_name="customer_information_requests",
                        to="stations.station",
                    ),
                ),
            ],
            options={
                "verbose_name": "customer information request",
                "verbose_name_plural": "customer information requests",
                "ordering": ["-created_at"],
                "constraints": [
                    models.UniqueConstraint(
                        fields=("station", "request_id"), name="customer_information_unique_request"
                    )
                ],
            },
        ),
        migrations.CreateModel(
            name="DisplayMessage",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("message_id", models.PositiveIntegerField()),
                ("priority", models.CharField(max_length=20)),
                ("state", models.CharField(blank=True, max_length=20)),
                ("start_at", models.DateTimeField(blank=True, null=True)),
                ("end_at", models.DateTimeField(blank=True, null=True)),
                ("transaction_id", models.CharField(blank=True, max_length=36)),
                ("format", models.CharField(max_length=10)),
                ("language", models.CharField(blank=True, max_length=8)),
                ("content", models.TextField()),
                ("extra", models.JSONField(blank=True, default=list)),
                ("display", models.JSONField(blank=True, default=dict)),
                (
                    "status",
                    models.CharField(
                        choices=[
                            ("set", "set, accepted by the station"),
                            ("reported", "reported by the station"),
                            ("cleared", "cleared"),
                        ],
                        max_length=10,
                    ),
                ),
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
                        related_name="display_messages",
                        to="stations.station",
                    ),
                ),
            ],
            options={
                "verbose_name": "display message",
                "verbose_name_plural": "display messages",
                "ordering": ["station", "message_id"],
                "constraints": [
                    models.UniqueConstraint(
                        fields=("station", "message_id"), name="display_message_unique_per_station"
                    )
                ],
            },
        ),
        migrations.CreateModel(
            name="MonitoringReportRequest",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("request_id", models.IntegerField()),
                ("criteria", models.JSONField(blank=True, default=dict)),
                ("status", models.CharField(blank=True, max_length=20)),
                ("pages", models.PositiveIntegerField(default=0)),
                ("completed_at", models.DateTimeField(blank=True, null=True)),
                ("pruned_monitors", models.PositiveIntegerField(default=0)),
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
                        related_name="monitoring_report_requests",
                        to="stations.station",
                    ),
                ),
            ],
            options={
                "verbose_name": "monitoring report request",
                "verbose_name_plural": "monitoring report requests",
                "ordering": ["-created_at"],
                "constraints": [
                    models.UniqueConstraint(
                        fields=("station", "request_id"), name="monitoring_report_request_unique"
                    )
                ],
            },
        ),
    ]
