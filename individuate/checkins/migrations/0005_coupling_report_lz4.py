"""PostgreSQL: compress stored coupling reports with lz4 instead of pglz.

Each report is ~30 kB of JSON (its rolling windows); the nightly run rewrites all of them,
and pglz compression of the TOASTed values was a large part of its database time. lz4 is
several times faster at a similar ratio (PostgreSQL ≥ 14 built with lz4, as Debian's and
the official images are). Other databases, or a server without lz4: nothing changes."""

from django.db import migrations


def _lz4(apps, schema_editor):  # type: ignore[no-untyped-def]
    conn = schema_editor.connection
    if conn.vendor != "postgresql" or conn.pg_version < 140000:
        return
    with conn.cursor() as cur:
        cur.execute("SELECT 1 FROM pg_settings WHERE name = 'default_toast_compression' AND 'lz4' = ANY(enumvals)")
        if cur.fetchone() is None:
            return
        cur.execute("ALTER TABLE checkins_couplingreport ALTER COLUMN result SET COMPRESSION lz4")


def _pglz(apps, schema_editor):  # type: ignore[no-untyped-def]
    conn = schema_editor.connection
    if conn.vendor == "postgresql" and conn.pg_version >= 140000:
        with conn.cursor() as cur:
            cur.execute("ALTER TABLE checkins_couplingreport ALTER COLUMN result SET COMPRESSION pglz")


class Migration(migrations.Migration):
    dependencies = [("checkins", "0004_coupling_population")]

    operations = [migrations.RunPython(_lz4, _pglz)]
