"""One open subject-access request per person, held by the database.

A database from before this constraint may hold two or more open (`received`) requests of
one person (two requests sent at the same moment both passed the service's check). Before
the constraint is added, `merge_duplicate_open_requests` keeps the oldest open request of
each such person open and marks each later one `merged`.

Why `merged`, a status of its own: the model had only `received` and `sent`, and neither
is true of a duplicate. `sent` would tell the person "We sent it on ..." for a copy nobody
sent, and tell the IG lead the work is done; deleting a request loses the record of what
the person asked and when. A duplicate asks for the same thing as the oldest request (a
copy of their records), so the oldest, with the earliest due date, answers all of them:
the later ones are kept, unchanged but for their status, leave the due items and the
person's and IG lead's lists, and nothing is deleted. The new choice changes no column
(choices are not in the database), so this migration stays the one that was applied
where it already ran (there, no duplicates could exist). docs/decisions/0084.
"""

from django.conf import settings
from django.db import migrations, models


def merge_duplicate_open_requests(apps, schema_editor):
    SubjectAccessRequest = apps.get_model("sharing", "SubjectAccessRequest")
    open_requests = SubjectAccessRequest.objects.filter(status="received").order_by("person_id", "created_at", "id")
    kept: set = set()
    later = []
    for pk, person_id in open_requests.values_list("pk", "person_id"):
        if person_id in kept:
            later.append(pk)
        else:
            kept.add(person_id)
    for start in range(0, len(later), 500):
        SubjectAccessRequest.objects.filter(pk__in=later[start : start + 500]).update(status="merged")


class Migration(migrations.Migration):

    dependencies = [
        ('agencies', '0005_agency_admins_are_staff'),
        ('cases', '0003_glossary_seed'),
        ('sharing', '0003_subject_access_requests'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AlterField(
            model_name='subjectaccessrequest',
            name='status',
            field=models.CharField(choices=[('received', 'Received'), ('sent', 'Sent'), ('merged', 'Merged into an earlier request')], default='received', max_length=10),
        ),
        migrations.RunPython(merge_duplicate_open_requests, migrations.RunPython.noop, elidable=False),
        migrations.AddConstraint(
            model_name='subjectaccessrequest',
            constraint=models.UniqueConstraint(condition=models.Q(('status', 'received')), fields=('person',), name='sar_one_open_per_person'),
        ),
    ]
