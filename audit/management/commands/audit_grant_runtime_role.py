"""manage.py audit_grant_runtime_role NAME [--password P]: on PostgreSQL, the role the web
and worker processes connect as (migrations keep running as the owner). It may read and
write the application's tables, but the audit tables only INSERT and SELECT: not owning
them, it can neither UPDATE, DELETE, TRUNCATE nor ALTER TABLE … DISABLE TRIGGER. The
events' monthly partitions give it nothing at all (it reaches them through the parent); it
may make partitions ahead and retire months past the retention floor, which this command
sets from AUDIT_RETENTION_MONTHS, through the owner's functions (audit/partitions.py).

Run it as the owner after `migrate` (docker-compose's `migrate` service does); it is
idempotent, and default privileges cover tables later migrations create."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import connection, transaction

from audit.partitions import retention_floor_sql

AUDIT_TABLES = ("audit_auditevent", "audit_auditseal", "audit_auditverification", "audit_auditarchive")


def grant_runtime_role(*, role: str, password: str | None = None) -> None:
    if connection.vendor != "postgresql":
        raise CommandError("The runtime role exists on PostgreSQL only.")
    q = connection.ops.quote_name(role)
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SELECT 1 FROM pg_roles WHERE rolname = %s", [role])
        if cursor.fetchone() is None:
            cursor.execute(f"CREATE ROLE {q} LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOINHERIT")
        if password:
            cursor.execute(f"ALTER ROLE {q} PASSWORD %s", [password])
        cursor.execute("SELECT current_database()")
        database = connection.ops.quote_name(cursor.fetchone()[0])
        for statement in (
            f"GRANT CONNECT ON DATABASE {database} TO {q}",
            f"GRANT USAGE ON SCHEMA public TO {q}",
            f"GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO {q}",
            f"GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO {q}",
            f"ALTER DEFAULT PRIVILEGES IN SCHEMA public GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO {q}",
            f"ALTER DEFAULT PRIVILEGES IN SCHEMA public GRANT USAGE, SELECT ON SEQUENCES TO {q}",
            *(f"REVOKE UPDATE, DELETE, TRUNCATE ON {t} FROM {q}" for t in AUDIT_TABLES),
        ):
            cursor.execute(statement)
        cursor.execute("SELECT to_regprocedure('audit_retire_partition(text, bigint)') IS NOT NULL")
        if cursor.fetchone()[0]:  # partitioned (migration audit 0005)
            cursor.execute(retention_floor_sql(settings.AUDIT_RETENTION_MONTHS))
            cursor.execute(f"GRANT EXECUTE ON FUNCTION audit_make_partitions(int) TO {q}")
            cursor.execute(f"GRANT EXECUTE ON FUNCTION audit_retire_partition(text, bigint) TO {q}")
            cursor.execute(
                "SELECT audit_strip_privileges(inhrelid::regclass) FROM pg_inherits "
                "WHERE inhparent = 'audit_auditevent'::regclass"
            )


class Command(BaseCommand):
    help = "Create (or update) the PostgreSQL runtime role: INSERT and SELECT only on the audit tables."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("role")
        parser.add_argument("--password", default=None)

    def handle(self, *args: Any, **options: Any) -> None:
        grant_runtime_role(role=options["role"], password=options["password"])
        self.stdout.write(f"Role {options['role']}: audit tables INSERT and SELECT only.")
