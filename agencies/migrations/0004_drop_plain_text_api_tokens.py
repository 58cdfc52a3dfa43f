"""The API tokens of before issue 10 (rest_framework.authtoken) were stored in plain text and never
expired. The app is gone from INSTALLED_APPS; its table goes too, so no usable key stays in the
database (docs/decisions/0031). Clients sign in again for a hashed, expiring token."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("agencies", "0003_api_tokens_and_user_sessions")]

    operations = [migrations.RunSQL("DROP TABLE IF EXISTS authtoken_token", reverse_sql=migrations.RunSQL.noop)]
