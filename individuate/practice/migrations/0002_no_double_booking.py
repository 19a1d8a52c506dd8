"""No double booking, enforced by PostgreSQL itself: confirmed sessions of one
therapist cannot overlap (btree_gist exclusion constraint). SQLite has no such
constraint; there every booking write runs in a serialised (IMMEDIATE) transaction
that checks for overlaps first (see practice/actions.py)."""

from django.db import migrations

CONSTRAINT = (
    "ALTER TABLE practice_appointment ADD CONSTRAINT appointment_no_overlap "
    "EXCLUDE USING gist (therapist_id WITH =, tstzrange(start, \"end\", '[)') WITH &&) "
    "WHERE (status = 'confirmed')"
)


def forwards(apps, schema_editor):  # type: ignore[no-untyped-def]
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("CREATE EXTENSION IF NOT EXISTS btree_gist")
    schema_editor.execute(CONSTRAINT)


def backwards(apps, schema_editor):  # type: ignore[no-untyped-def]
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("ALTER TABLE practice_appointment DROP CONSTRAINT IF EXISTS appointment_no_overlap")


class Migration(migrations.Migration):
    dependencies = [("practice", "0001_initial")]
    operations = [migrations.RunPython(forwards, backwards)]
