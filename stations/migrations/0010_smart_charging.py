from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("stations", "0009_command_timeout"),
    ]

    operations = []
