from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("stations", "0010_smart_charging"),
    ]

    operations = []
