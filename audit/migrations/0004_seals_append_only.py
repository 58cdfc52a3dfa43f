"""On PostgreSQL the seals, like the events, refuse UPDATE and DELETE."""

from django.db import migrations

CREATE = """
CREATE TRIGGER audit_auditseal_append_only
    BEFORE UPDATE OR DELETE ON audit_auditseal
    FOR EACH ROW EXECUTE FUNCTION audit_append_only();
"""
DROP = "DROP TRIGGER IF EXISTS audit_auditseal_append_only ON audit_auditseal;"


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(CREATE, params=None)


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP, params=None)


class Migration(migrations.Migration):
    dependencies = [("audit", "0003_seals")]
    operations = [migrations.RunPython(forwards, backwards)]
