"""Database-level capture of changes into the access log.

Migrations of logged tables call ``LogChanges("cases_person", "person")``: AFTER
triggers then write an access-log row with the changed fields, before and after,
for every row an INSERT, UPDATE or DELETE touches, whichever code path made it. Who
made the change comes from session settings that ``audits.context`` sets per request,
task and command.

Inserts are logged by a statement-level trigger reading the statement's transition
table, one INSERT into the log per statement: a bulk insert (the incident import's
one ``INSERT ... SELECT`` per table a chunk) would otherwise run the row-level
function once a row, the largest part of the import's time. The rows it writes are
the row-level function's for an INSERT, field for field, in the order inserted.
Updates and deletes stay row-level, as an update's before and after are compared
row by row.
"""

from __future__ import annotations

from django.db import migrations

# Columns never copied into the log: secrets, and bookkeeping that changes on every save.
ALWAYS_EXCLUDED = ("password", "last_login", "updated_at")

CHANGE_FUNCTION_SQL = """
CREATE OR REPLACE FUNCTION audits_log_change() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
    excluded text[] := TG_ARGV[2:TG_NARGS - 1];
    old_row jsonb := '{}'::jsonb;
    new_row jsonb := '{}'::jsonb;
    diff jsonb;
    row_data jsonb;
BEGIN
    IF TG_OP IN ('UPDATE', 'DELETE') THEN
        old_row := to_jsonb(OLD) - excluded;
    END IF;
    IF TG_OP IN ('INSERT', 'UPDATE') THEN
        new_row := to_jsonb(NEW) - excluded;
    END IF;
    SELECT coalesce(jsonb_object_agg(k, jsonb_build_array(old_row -> k, new_row -> k)), '{}'::jsonb)
      INTO diff
      FROM (SELECT jsonb_object_keys(old_row || new_row) AS k) AS keys
     WHERE (old_row -> k) IS DISTINCT FROM (new_row -> k);
    IF TG_OP = 'UPDATE' AND diff = '{}'::jsonb THEN
        RETURN NULL;
    END IF;
    row_data := CASE WHEN TG_OP = 'DELETE' THEN old_row ELSE new_row END;
    INSERT INTO audits_accesslogentry
        (at, user_id, username, agency_id, partnership_id, action, record_type, record_id, fields, reason)
    VALUES (
        now(),
        nullif(current_setting('audits.user_id', true), '')::bigint,
        coalesce(nullif(current_setting('audits.username', true), ''), 'system: ' || current_user),
        nullif(current_setting('audits.agency_id', true), '')::bigint,
        (row_data ->> 'partnership_id')::bigint,
        CASE TG_OP WHEN 'INSERT' THEN 'create' WHEN 'UPDATE' THEN 'update' ELSE 'delete' END,
        TG_ARGV[0],
        (row_data ->> TG_ARGV[1])::bigint,
        diff,
        ''
    );
    RETURN NULL;
END;
$$;
"""

# The row-level function's INSERT branch for a whole statement: every column but the excluded ones as
# [null, value], the action "create", the same actor, partnership and record id, in the order inserted.
# A statement of many rows (a bulk insert) spells the row's JSON out column by column from the catalogue,
# once a statement, and reads it as jsonb once a row: a third of the cost of to_jsonb(row) taken apart
# and put together again (to_json and to_jsonb write every type alike). That dynamic statement is planned
# each time, a quarter of a millisecond, so a statement of a few rows (a page's save) takes the static one.
INSERT_FUNCTION_SQL = """
CREATE OR REPLACE FUNCTION audits_log_inserts() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
    excluded text[] := TG_ARGV[2:TG_NARGS - 1];
    actor_id bigint := nullif(current_setting('audits.user_id', true), '')::bigint;
    actor_name text := coalesce(nullif(current_setting('audits.username', true), ''), 'system: ' || current_user);
    actor_agency_id bigint := nullif(current_setting('audits.agency_id', true), '')::bigint;
    fields text;
    partnership text;
BEGIN
    IF (SELECT count(*) FROM audits_new_rows) < 16 THEN
        INSERT INTO audits_accesslogentry
            (at, user_id, username, agency_id, partnership_id, action, record_type, record_id, fields, reason)
        SELECT now(), actor_id, actor_name, actor_agency_id, (r.row_data ->> 'partnership_id')::bigint, 'create',
               TG_ARGV[0], (r.row_data ->> TG_ARGV[1])::bigint,
               (SELECT coalesce(jsonb_object_agg(e.key, jsonb_build_array(NULL::jsonb, e.value)), '{}'::jsonb)
                  FROM jsonb_each(r.row_data) AS e),
               ''
          FROM (SELECT to_jsonb(n) - excluded AS row_data FROM audits_new_rows AS n) AS r;
        RETURN NULL;
    END IF;
    SELECT string_agg(format('%L || coalesce(to_json(n.%I)::text, ''null'') || '']''',
                             to_json(a.attname::text)::text || ':[null,', a.attname), ' || '','' || '
                      ORDER BY a.attnum),
           coalesce(max('n.partnership_id::bigint') FILTER (WHERE a.attname = 'partnership_id'), 'NULL')
      INTO fields, partnership
      FROM pg_attribute AS a
     WHERE a.attrelid = TG_RELID AND a.attnum > 0 AND NOT a.attisdropped AND a.attname <> ALL (excluded);
    EXECUTE format(
        'INSERT INTO audits_accesslogentry'
        ' (at, user_id, username, agency_id, partnership_id, action, record_type, record_id, fields, reason)'
        ' SELECT now(), $1, $2, $3, %s, ''create'', $4, n.%I::bigint, %s, '''' FROM audits_new_rows AS n',
        partnership, TG_ARGV[1], coalesce('(''{'' || ' || fields || ' || ''}'')::jsonb', '''{}''::jsonb'))
    USING actor_id, actor_name, actor_agency_id, TG_ARGV[0];
    RETURN NULL;
END;
$$;
"""

APPEND_ONLY_SQL = """
CREATE OR REPLACE FUNCTION audits_refuse_change() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'the access log is append-only: % refused', TG_OP
        USING ERRCODE = 'insufficient_privilege';
END;
$$;
CREATE TRIGGER audits_accesslog_append_only
    BEFORE UPDATE OR DELETE ON audits_accesslogentry
    FOR EACH STATEMENT EXECUTE FUNCTION audits_refuse_change();
"""


def _quote(value: str) -> str:
    return "'" + value.replace("'", "''") + "'"


def _trigger_args(record_type: str, id_column: str, exclude: tuple[str, ...]) -> str:
    return ", ".join(_quote(a) for a in (record_type, id_column, *ALWAYS_EXCLUDED, *exclude))


def log_triggers_sql(table: str, args: str) -> str:
    """The two triggers on a logged table: updates and deletes row by row, inserts a statement at a time."""
    return (
        f'CREATE TRIGGER "{table}_log_change" AFTER UPDATE OR DELETE ON "{table}" '
        f"FOR EACH ROW EXECUTE FUNCTION audits_log_change({args}); "
        f'CREATE TRIGGER "{table}_log_insert" AFTER INSERT ON "{table}" REFERENCING NEW TABLE AS audits_new_rows '
        f"FOR EACH STATEMENT EXECUTE FUNCTION audits_log_inserts({args});"
    )


class LogChanges(migrations.RunSQL):
    """Attach the change-capture triggers to a table."""

    def __init__(self, table: str, record_type: str, *, id_column: str = "id", exclude: tuple[str, ...] = ()) -> None:
        """``id_column`` names the record a row belongs to (a membership row is logged on its user)."""
        super().__init__(
            # The insert function comes with every table's triggers: a migration of any app may run first.
            sql=INSERT_FUNCTION_SQL + log_triggers_sql(table, _trigger_args(record_type, id_column, exclude)),
            reverse_sql=(
                f'DROP TRIGGER IF EXISTS "{table}_log_insert" ON "{table}";'
                f' DROP TRIGGER IF EXISTS "{table}_log_change" ON "{table}";'
            ),
        )


# For a database whose tables were logged row by row for inserts too (LogChanges before audits 0004): each
# row-level INSERT OR UPDATE OR DELETE trigger becomes the pair above, with the same arguments.
INSERTS_BY_STATEMENT_SQL = r"""
DO $$
DECLARE
    t record;
BEGIN
    FOR t IN
        SELECT c.relname AS tab, tg.tgname AS name,
               substring(pg_get_triggerdef(tg.oid) FROM 'audits_log_change\((.*)\)$') AS args
          FROM pg_trigger tg JOIN pg_class c ON c.oid = tg.tgrelid JOIN pg_proc p ON p.oid = tg.tgfoid
         WHERE p.proname = 'audits_log_change' AND NOT tg.tgisinternal
           AND (tg.tgtype & 4) <> 0  -- fires on INSERT
    LOOP
        EXECUTE format('DROP TRIGGER %I ON %I', t.name, t.tab);
        EXECUTE format(
            'CREATE TRIGGER %I AFTER UPDATE OR DELETE ON %I FOR EACH ROW EXECUTE FUNCTION audits_log_change(%s)',
            t.tab || '_log_change', t.tab, t.args);
        EXECUTE format(
            'CREATE TRIGGER %I AFTER INSERT ON %I REFERENCING NEW TABLE AS audits_new_rows'
            ' FOR EACH STATEMENT EXECUTE FUNCTION audits_log_inserts(%s)', t.tab || '_log_insert', t.tab, t.args);
    END LOOP;
END;
$$;
"""

INSERTS_BY_ROW_SQL = r"""
DO $$
DECLARE
    t record;
BEGIN
    FOR t IN
        SELECT c.relname AS tab, tg.tgname AS name,
               substring(pg_get_triggerdef(tg.oid) FROM 'audits_log_inserts\((.*)\)$') AS args
          FROM pg_trigger tg JOIN pg_class c ON c.oid = tg.tgrelid JOIN pg_proc p ON p.oid = tg.tgfoid
         WHERE p.proname = 'audits_log_inserts' AND NOT tg.tgisinternal
    LOOP
        EXECUTE format('DROP TRIGGER %I ON %I', t.name, t.tab);
        EXECUTE format('DROP TRIGGER IF EXISTS %I ON %I', t.tab || '_log_change', t.tab);
        EXECUTE format(
            'CREATE TRIGGER %I AFTER INSERT OR UPDATE OR DELETE ON %I FOR EACH ROW'
            ' EXECUTE FUNCTION audits_log_change(%s)', t.tab || '_log_change', t.tab, t.args);
    END LOOP;
END;
$$;
"""
