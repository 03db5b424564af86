# The session list's index: newest first, sessions without a start last (the pages paginate
# over it). PostgreSQL only, and outside the models' state: SQLite (the embedded quick start)
# takes no NULLS LAST in an index, and Django re-makes a SQLite table with every index of its
# state on each later change to it.

from django.db import migrations

CREATE = (
    "CREATE INDEX IF NOT EXISTS transaction_newest"
    " ON stations_transaction (started_at DESC NULLS LAST, id DESC)"
)
DROP = "DROP INDEX IF EXISTS transaction_newest"


def on_postgresql(sql):
    def run(apps, schema_editor):
        if schema_editor.connection.vendor == "postgresql":
            schema_editor.execute(sql)

    return run


class Migration(migrations.Migration):

    dependencies = [
        ('accounts', '0003_staff_profiles'),
        ('stations', '0015_dashboard_indexes'),
    ]

    operations = [
        migrations.RunPython(on_postgresql(CREATE), on_postgresql(DROP)),
    ]
