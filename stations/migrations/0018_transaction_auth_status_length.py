# Written by hand (issue 6): 2.x authorization statuses such as NotAtThisLocation are longer
# than 16 characters.

from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('stations', '0017_site_token_access'),
    ]

    operations = [
        migrations.AlterField(
            model_name='transaction',
            name='auth_status',
            field=models.CharField(blank=True, max_length=32, verbose_name='authorization at start'),
        ),
    ]
