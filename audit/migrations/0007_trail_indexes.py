"""The trail's filtered first pages walk (person | case | actor, at, id) backwards; on
PostgreSQL each index is a partitioned index (one per monthly partition, made with every
new partition) and carries the two agencies an IG lead's visibility tests. They replace
the single-column indexes on person, case and actor."""

from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('audit', '0006_archives'),
    ]

    operations = [
        migrations.AlterField(
            model_name='auditevent',
            name='actor',
            field=models.UUIDField(blank=True, null=True),
        ),
        migrations.AlterField(
            model_name='auditevent',
            name='case',
            field=models.UUIDField(blank=True, null=True),
        ),
        migrations.AlterField(
            model_name='auditevent',
            name='person',
            field=models.UUIDField(blank=True, null=True),
        ),
        migrations.AddIndex(
            model_name='auditevent',
            index=models.Index(fields=['person', 'at', 'id'], include=('actor_agency', 'subject_agency'), name='audit_person_at'),
        ),
        migrations.AddIndex(
            model_name='auditevent',
            index=models.Index(fields=['case', 'at', 'id'], include=('actor_agency', 'subject_agency'), name='audit_case_at'),
        ),
        migrations.AddIndex(
            model_name='auditevent',
            index=models.Index(fields=['actor', 'at', 'id'], include=('actor_agency', 'subject_agency'), name='audit_actor_at'),
        ),
    ]
