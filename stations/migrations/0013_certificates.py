import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("stations", "0012_v2x_commands"),
    ]

    operations = [
        migrations.CreateModel(
            name="CertificateAuthority",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("common_name", models.CharField(max_length=200, verbose_name="common name")),
                ("certificate_pem", models.TextField(verbose_name="certificate (PEM)")),
                ("private_key_pem", models.TextField(verbose_name="encrypted private key (PEM)")),
                ("serial_number", models.CharField(max_length=40, verbose_name="serial number")),
                ("not_after", models.DateTimeField(verbose_name="valid until")),
                ("is_active", models.BooleanField(default=True, verbose_name="active")),
                ("created_at", models.DateTimeField(auto_now_add=True)),
            ],
            options={
                "verbose_name": "certificate authority",
                "verbose_name_plural": "certificate authorities",
                "ordering": ["-created_at"],
                "constraints": [
                    models.UniqueConstraint(
                        condition=models.Q(("is_active", True)),
                        fields=("is_active",),
                        name="one_active_certificate_authority",
                    )
                ],
            },
        ),
        migrations.CreateModel(
            name="InstalledCertificate",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                (
                    "certificate_type",
                    models.CharField(
                        choices=[
                            ("csms_root", "CSMS root"),
                            ("manufacturer_root", "Manufacturer root"),
                            ("v2g_root", "V2G root"),
                            ("mo_root", "Mobility operator root"),
                            ("oem_root", "OEM root"),
                            ("v2g_chain", "V2G certificate chain"),
                        ],
                        max_length=20,
                    ),
                ),
                ("hash_algorithm", models.CharField(max_length=8)),
                ("issuer_name_hash", models.CharField(max_length=128)),
                ("issuer_key_hash", models.CharField(max_length=128)),
                ("serial_number", models.CharField(max_length=40)),
                ("child_certificates", models.JSONField(blank=True, default=list)),
                ("subject", models.CharField(blank=True, max_length=500)),
                ("not_after", models.DateTimeField(blank=True, null=True)),
                ("updated_at", models.DateTimeField(auto_now=True)),
                (
                    "station",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="installed_certificates",
                        to="stations.station",
                    ),
                ),
            ],
            options={
                "verbose_name": "installed certificate",
                "verbose_name_plural": "installed certificates",
                "ordering": ["station", "certificate_type", "serial_number"],
                "constraints": [
                    models.UniqueConstraint(
                        fields=(
                            "station",
                            "hash_algorithm",
                            "issuer_name_hash",
                            "issuer_key_hash",
                            "serial_number",
                        ),
                        name="installed_certificate_unique_per_station",
                    )
                ],
            },
        ),
        migrations.CreateModel(
            name="IssuedCertificate",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                (
                    "certificate_type",
                    models.CharField(
                        choices=[
                            ("charging_station", "Charging station (OCPP connection)"),
                            ("v2g", "ISO 15118-2 (V2G)"),
                            ("v2g20", "ISO 15118-20 (V2G)"),
                        ],
                        max_length=20,
                    ),
                ),
                ("serial_number", models.CharField(max_length=40)),
                ("subject", models.CharField(max_length=500)),
                ("not_before", models.DateTimeField()),
                ("not_after", models.DateTimeField()),
                ("certificate_pem", models.TextField()),
                ("request_id", models.IntegerField(blank=True, null=True)),
                (
                    "delivery",
                    models.CharField(
                        choices=[
                            ("pending", "being sent"),
                            ("accepted", "accepted by the station"),
                            ("rejected", "rejected by the station"),
                            ("failed", "not delivered"),
                        ],
                        default="pending",
                        max_length=10,
                    ),
                ),
                ("created_at", models.DateTimeField(auto_now_add=True)),
                (
                    "authority",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="issued",
                        to="stations.certificateauthority",
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
                        related_name="issued_certificates",
                        to="stations.station",
                    ),
                ),
            ],
            options={
                "verbose_name": "issued certificate",
                "verbose_name_plural": "issued certificates",
                "ordering": ["-created_at"],
                "indexes": [
                    models.Index(
                        fields=["station", "-created_at"], name="stations_is_station_1a07a2_idx"
                    )
                ],
                "constraints": [
                    models.UniqueConstraint(
                        fields=("authority", "serial_number"),
                        name="issued_certificate_serial_unique",
                    )
                ],
            },
        ),
    ]
