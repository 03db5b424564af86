from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("stations", "0011_local_list_and_reports"),
    ]

    operations = []
