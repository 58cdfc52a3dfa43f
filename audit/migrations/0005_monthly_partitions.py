"""On PostgreSQL the audit events move into monthly partitions (declarative range
partitioning on `at`, UTC months), so that retention detaches whole months instead of
deleting rows (docs/decisions/0043). SQLite keeps one table: nothing happens there.

The existing table is renamed, a partitioned table of the same columns takes its name
(primary key `(id, at)`: it must include the partition key; `id` keeps its identity
sequence, continued from the old table's highest id, so `(at, id)` ordering and the
seals are unchanged), partitions are made for every month holding events and for the
current and next months, plus a DEFAULT partition that takes an event no month
partition covers (a clock far off, beat stopped for months) rather than refusing it;
the rows are copied, the old table dropped and its indexes, append-only trigger and
privileges recreated on the new table, from which every partition inherits indexes
and trigger. Partitions carry no privileges of their own: they are read and written
through the parent only (`audit_strip_privileges`).

Functions (owner's rights only where said):
- `audit_make_partition(month)`: one month's partition (owner only);
- `audit_make_partitions(months_ahead)`: SECURITY DEFINER, the current month and the
  next `months_ahead` (at most 24); beat's task calls it as the runtime role;
- `audit_retention_months()`: the retention floor the owner set (re-set by
  `audit_grant_runtime_role` from AUDIT_RETENTION_MONTHS);
- `audit_retire_partition(name, expected_rows)`: SECURITY DEFINER; detaches and drops
  one month's partition once it is older than that floor and holds exactly the rows the
  caller exported; anything younger is refused.
"""

from django.conf import settings
from django.db import migrations

FUNCTIONS = """
CREATE OR REPLACE FUNCTION audit_partition_name(month date) RETURNS text
    LANGUAGE sql IMMUTABLE AS $$ SELECT 'audit_auditevent_p' || to_char(month, 'YYYY_MM') $$;

CREATE OR REPLACE FUNCTION audit_strip_privileges(rel regclass) RETURNS void
    LANGUAGE plpgsql SET search_path FROM CURRENT AS $$
DECLARE
    r record;
BEGIN
    FOR r IN SELECT DISTINCT a.grantee FROM pg_class c, aclexplode(c.relacl) a
             WHERE c.oid = rel AND a.grantee <> c.relowner LOOP
        IF r.grantee = 0 THEN
            EXECUTE format('REVOKE ALL ON %s FROM PUBLIC', rel);
        ELSE
            EXECUTE format('REVOKE ALL ON %s FROM %I', rel, pg_get_userbyid(r.grantee));
        END IF;
    END LOOP;
END $$;

CREATE OR REPLACE FUNCTION audit_make_partition(month date) RETURNS text
    LANGUAGE plpgsql SET search_path FROM CURRENT AS $$
DECLARE
    first date := date_trunc('month', month)::date;
    name text := audit_partition_name(first);
    lower timestamptz := first::timestamp AT TIME ZONE 'UTC';
    upper timestamptz := (first + interval '1 month')::timestamp AT TIME ZONE 'UTC';
BEGIN
    IF to_regclass(name) IS NOT NULL THEN
        RETURN NULL;
    END IF;
    IF EXISTS (SELECT 1 FROM audit_auditevent_default WHERE at >= lower AND at < upper) THEN
        -- Those events stay where they are (still sealed and verified); the month keeps no partition.
        RAISE WARNING 'audit: % not made, the default partition holds events of that month', name;
        RETURN NULL;
    END IF;
    EXECUTE format('CREATE TABLE %I PARTITION OF audit_auditevent FOR VALUES FROM (%L) TO (%L)', name, lower, upper);
    PERFORM audit_strip_privileges(name::regclass);
    RETURN name;
END $$;

CREATE OR REPLACE FUNCTION audit_make_partitions(months_ahead int) RETURNS SETOF text
    LANGUAGE plpgsql SECURITY DEFINER SET search_path FROM CURRENT AS $$
DECLARE
    this_month date := date_trunc('month', now() AT TIME ZONE 'UTC')::date;
    made text;
BEGIN
    IF months_ahead < 0 OR months_ahead > 24 THEN
        RAISE EXCEPTION 'audit: months_ahead must be between 0 and 24, not %', months_ahead;
    END IF;
    FOR i IN 0..months_ahead LOOP
        made := audit_make_partition((this_month + make_interval(months => i))::date);
        IF made IS NOT NULL THEN
            RETURN NEXT made;
        END IF;
    END LOOP;
END $$;

CREATE OR REPLACE FUNCTION audit_retire_partition(name text, expected_rows bigint) RETURNS void
    LANGUAGE plpgsql SECURITY DEFINER SET search_path FROM CURRENT AS $$
DECLARE
    month date;
    horizon date := (date_trunc('month', now() AT TIME ZONE 'UTC')
                     - make_interval(months => audit_retention_months()))::date;
    found bigint;
BEGIN
    IF name !~ '^audit_auditevent_p[0-9]{4}_[0-9]{2}$' OR NOT EXISTS (
        SELECT 1 FROM pg_inherits WHERE inhrelid = to_regclass(name) AND inhparent = 'audit_auditevent'::regclass
    ) THEN
        RAISE EXCEPTION 'audit: % is not a month partition of the audit events', name;
    END IF;
    month := to_date(substring(name from 19), 'YYYY_MM');
    IF month + interval '1 month' > horizon THEN
        RAISE EXCEPTION 'audit: % is not older than the retention of % months', name, audit_retention_months();
    END IF;
    EXECUTE format('SELECT count(*) FROM %I', name) INTO found;
    IF found <> expected_rows THEN
        RAISE EXCEPTION 'audit: % holds % events, % were exported', name, found, expected_rows;
    END IF;
    EXECUTE format('ALTER TABLE audit_auditevent DETACH PARTITION %I', name);
    EXECUTE format('DROP TABLE %I', name);
END $$;

REVOKE ALL ON FUNCTION audit_strip_privileges(regclass) FROM PUBLIC;
REVOKE ALL ON FUNCTION audit_make_partition(date) FROM PUBLIC;
REVOKE ALL ON FUNCTION audit_retire_partition(text, bigint) FROM PUBLIC;
"""


def retention_floor_sql(months: int) -> str:
    return (
        "CREATE OR REPLACE FUNCTION audit_retention_months() RETURNS int LANGUAGE sql IMMUTABLE "
        f"AS $$ SELECT {int(months)} $$"
    )


CONVERT = """
DO $$
DECLARE
    r record;
    defs text[];
    acl aclitem[];
    seq text;
    first_month date;
    this_month date := date_trunc('month', now() AT TIME ZONE 'UTC')::date;
BEGIN
    SELECT array_agg(indexdef) INTO defs FROM pg_indexes
        WHERE schemaname = current_schema() AND tablename = 'audit_auditevent' AND indexname <> 'audit_auditevent_pkey';
    SELECT relacl INTO acl FROM pg_class WHERE oid = 'audit_auditevent'::regclass;
    ALTER TABLE audit_auditevent RENAME TO audit_auditevent_unpartitioned;
    ALTER TABLE audit_auditevent_unpartitioned RENAME CONSTRAINT audit_auditevent_pkey TO audit_auditevent_unpartitioned_pkey;
    CREATE TABLE audit_auditevent (LIKE audit_auditevent_unpartitioned INCLUDING DEFAULTS INCLUDING IDENTITY
                                   INCLUDING CONSTRAINTS) PARTITION BY RANGE (at);
    ALTER TABLE audit_auditevent ADD CONSTRAINT audit_auditevent_pkey PRIMARY KEY (id, at);
    CREATE TABLE audit_auditevent_default PARTITION OF audit_auditevent DEFAULT;
    SELECT date_trunc('month', min(at) AT TIME ZONE 'UTC')::date INTO first_month FROM audit_auditevent_unpartitioned;
    FOR r IN SELECT m::date AS month FROM generate_series(
            LEAST(COALESCE(first_month, this_month), this_month), this_month + interval '1 month', interval '1 month') m LOOP
        PERFORM audit_make_partition(r.month);
    END LOOP;
    INSERT INTO audit_auditevent OVERRIDING SYSTEM VALUE SELECT * FROM audit_auditevent_unpartitioned;
    seq := pg_get_serial_sequence('audit_auditevent', 'id');
    PERFORM setval(seq, COALESCE((SELECT max(id) FROM audit_auditevent), 0) + 1, false);
    DROP TABLE audit_auditevent_unpartitioned;
    EXECUTE format('ALTER SEQUENCE %s RENAME TO audit_auditevent_id_seq', seq);
    IF defs IS NOT NULL THEN
        FOR i IN 1..array_length(defs, 1) LOOP
            EXECUTE defs[i];
        END LOOP;
    END IF;
    CREATE TRIGGER audit_auditevent_append_only BEFORE UPDATE OR DELETE ON audit_auditevent
        FOR EACH ROW EXECUTE FUNCTION audit_append_only();
    -- The parent keeps the privileges the old table had (the runtime role's INSERT and SELECT);
    -- the partitions keep none, whatever default privileges gave them.
    PERFORM audit_strip_privileges('audit_auditevent'::regclass);
    FOR r IN SELECT a.grantee, a.privilege_type FROM unnest(acl) u, aclexplode(ARRAY[u]) a
             WHERE a.grantee <> (SELECT relowner FROM pg_class WHERE oid = 'audit_auditevent'::regclass) LOOP
        EXECUTE format('GRANT %s ON audit_auditevent TO %s', r.privilege_type,
                       CASE WHEN r.grantee = 0 THEN 'PUBLIC' ELSE quote_ident(pg_get_userbyid(r.grantee)) END);
    END LOOP;
    FOR r IN SELECT inhrelid::regclass AS part FROM pg_inherits WHERE inhparent = 'audit_auditevent'::regclass LOOP
        PERFORM audit_strip_privileges(r.part);
    END LOOP;
END $$;
"""

# Back to one table (the same rows, the same ids), for `migrate audit 0004`.
REVERT = """
DO $$
DECLARE
    defs text[];
    seq text;
BEGIN
    SELECT array_agg(indexdef) INTO defs FROM pg_indexes
        WHERE schemaname = current_schema() AND tablename = 'audit_auditevent' AND indexname <> 'audit_auditevent_pkey';
    ALTER TABLE audit_auditevent RENAME TO audit_auditevent_partitioned;
    ALTER TABLE audit_auditevent_partitioned RENAME CONSTRAINT audit_auditevent_pkey TO audit_auditevent_partitioned_pkey;
    CREATE TABLE audit_auditevent (LIKE audit_auditevent_partitioned INCLUDING DEFAULTS INCLUDING IDENTITY
                                   INCLUDING CONSTRAINTS);
    ALTER TABLE audit_auditevent ADD CONSTRAINT audit_auditevent_pkey PRIMARY KEY (id);
    INSERT INTO audit_auditevent OVERRIDING SYSTEM VALUE SELECT * FROM audit_auditevent_partitioned;
    seq := pg_get_serial_sequence('audit_auditevent', 'id');
    PERFORM setval(seq, COALESCE((SELECT max(id) FROM audit_auditevent), 0) + 1, false);
    DROP TABLE audit_auditevent_partitioned CASCADE;
    EXECUTE format('ALTER SEQUENCE %s RENAME TO audit_auditevent_id_seq', seq);
    IF defs IS NOT NULL THEN
        FOR i IN 1..array_length(defs, 1) LOOP
            EXECUTE defs[i];
        END LOOP;
    END IF;
    CREATE TRIGGER audit_auditevent_append_only BEFORE UPDATE OR DELETE ON audit_auditevent
        FOR EACH ROW EXECUTE FUNCTION audit_append_only();
END $$;
DROP FUNCTION IF EXISTS audit_retire_partition(text, bigint);
DROP FUNCTION IF EXISTS audit_make_partitions(int);
DROP FUNCTION IF EXISTS audit_make_partition(date);
DROP FUNCTION IF EXISTS audit_strip_privileges(regclass);
DROP FUNCTION IF EXISTS audit_retention_months();
DROP FUNCTION IF EXISTS audit_partition_name(date);
"""


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(FUNCTIONS, params=None)
    schema_editor.execute(retention_floor_sql(settings.AUDIT_RETENTION_MONTHS), params=None)
    schema_editor.execute(CONVERT, params=None)


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(REVERT, params=None)


class Migration(migrations.Migration):
    dependencies = [("audit", "0004_seals_append_only")]
    operations = [migrations.RunPython(forwards, backwards)]
