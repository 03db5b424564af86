from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("stations", "0013_certificates"),
    ]

    operations = []
