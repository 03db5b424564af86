from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("stations", "0012_v2x_commands"),
    ]

    operations = []
