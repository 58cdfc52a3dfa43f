"""On PostgreSQL the audit table refuses UPDATE and DELETE (append-only).

TRUNCATE stays possible: it is a database owner's operation (test teardown
uses it), not a code path of the application."""

from django.db import migrations

CREATE = """
CREATE OR REPLACE FUNCTION accountability_audit_append_only() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'audit events are append-only (% refused)', TG_OP;
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER accountability_auditevent_append_only
    BEFORE UPDATE OR DELETE ON accountability_auditevent
    FOR EACH ROW EXECUTE FUNCTION accountability_audit_append_only();
"""

DROP = """
DROP TRIGGER IF EXISTS accountability_auditevent_append_only ON accountability_auditevent;
DROP FUNCTION IF EXISTS accountability_audit_append_only();
"""


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(CREATE, params=None)


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP, params=None)


class Migration(migrations.Migration):
    dependencies = [("accountability", "0001_initial")]
    operations = [migrations.RunPython(forwards, backwards)]
