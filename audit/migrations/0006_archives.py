"""The record of each month retired from the database (audit/partitions.py); append-only
on PostgreSQL like the events and the seals."""

from django.db import migrations, models

CREATE = """
CREATE TRIGGER audit_auditarchive_append_only
    BEFORE UPDATE OR DELETE ON audit_auditarchive
    FOR EACH ROW EXECUTE FUNCTION audit_append_only();
"""
DROP = "DROP TRIGGER IF EXISTS audit_auditarchive_append_only ON audit_auditarchive;"


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(CREATE, params=None)


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP, params=None)


class Migration(migrations.Migration):

    dependencies = [
        ('audit', '0005_monthly_partitions'),
    ]

    operations = [
        migrations.CreateModel(
            name='AuditArchive',
            fields=[
                ('id', models.BigAutoField(primary_key=True, serialize=False)),
                ('month', models.DateField(unique=True)),
                ('partition', models.CharField(max_length=63)),
                ('events', models.PositiveBigIntegerField()),
                ('sha256', models.CharField(max_length=64)),
                ('path', models.CharField(max_length=500)),
                ('archived_at', models.DateTimeField(auto_now_add=True)),
                ('digest', models.CharField(max_length=64)),
            ],
            options={
                'ordering': ['month'],
            },
        ),
        migrations.RunPython(forwards, backwards),
    ]
