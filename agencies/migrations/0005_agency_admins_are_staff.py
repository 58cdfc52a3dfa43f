"""Agency administrators sign in to the (agency-scoped) administration pages: their logins
are staff. professional_create and professional_update keep this true from now on."""

from django.db import migrations


def agency_admins_are_staff(apps, schema_editor):
    Professional = apps.get_model("agencies", "Professional")
    User = apps.get_model(*Professional._meta.get_field("user").remote_field.model._meta.label.split("."))
    admins = Professional.objects.filter(is_agency_admin=True).values("user_id")
    User.objects.filter(pk__in=admins, is_staff=False).update(is_staff=True)


class Migration(migrations.Migration):
    dependencies = [("agencies", "0004_drop_plain_text_api_tokens")]

    operations = [migrations.RunPython(agency_admins_are_staff, migrations.RunPython.noop)]
