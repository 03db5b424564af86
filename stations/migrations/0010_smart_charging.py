import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("stations", "0009_command_timeout"),
    ]

    operations = [
        migrations.CreateModel(
            name="ChargingProfile",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                (
                    "evse_id",
                    models.PositiveIntegerField(
                        help_text="0: the whole station.", verbose_name="EVSE id"
                    ),
                ),
                ("profile_id", models.IntegerField(verbose_name="profile id")),
                ("stack_level", models.IntegerField(verbose_name="stack level")),
                ("purpose", models.CharField(max_length=40, verbose_name="purpose")),
                ("kind", models.CharField(max_length=16, verbose_name="kind")),
                (
                    "recurrency_kind",
                    models.CharField(blank=True, max_length=8, verbose_name="recurrency"),
                ),
                (
                    "valid_from",
                    models.DateTimeField(blank=True, null=True, verbose_name="valid from"),
                ),
                ("valid_to", models.DateTimeField(blank=True, null=True, verbose_name="valid to")),
                (
                    "transaction_id",
                    models.CharField(blank=True, max_length=36, verbose_name="transaction id"),
                ),
                (
                    "limit_source",
                    models.CharField(blank=True, max_length=20, verbose_name="limit source"),
                ),
                ("payload", models.JSONField(verbose_name="profile")),
                (
                    "origin",
                    models.CharField(
                        choices=[
                            ("set", "set by the back office"),
                            ("reported", "reported by the station"),
                        ],
                        max_length=10,
                        verbose_name="origin",
                    ),
                ),
                (
                    "state",
                    models.CharField(
                        choices=[
                            ("installed", "installed"),
                            ("replaced", "replaced"),
                            ("cleared", "cleared"),
                            ("reported", "reported"),
                        ],
                        max_length=10,
                        verbose_name="state",
                    ),
                ),
                ("created_at", models.DateTimeField(auto_now_add=True)),
                ("updated_at", models.DateTimeField(auto_now=True)),
                (
                    "clear_command",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="+",
                        to="stations.command",
                    ),
                ),
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
                        related_name="charging_profiles",
                        to="stations.station",
                    ),
                ),
            ],
            options={
                "verbose_name": "charging profile",
                "verbose_name_plural": "charging profiles",
                "ordering": ["station", "evse_id", "-stack_level", "profile_id"],
                "indexes": [
                    models.Index(fields=["station", "state"], name="charging_profile_state")
                ],
            },
        ),
    ]
