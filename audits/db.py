"""Database-level capture of changes into the access log.

Migrations of logged tables call ``LogChanges("cases_person", "person")``: an AFTER
trigger then writes an access-log row with the changed fields, before and after,
for every INSERT, UPDATE and DELETE, whichever code path made it. Who made the
change comes from session settings that ``audits.context`` sets per request,
task and command.
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


class LogChanges(migrations.RunSQL):
    """Attach the change-capture trigger to a table."""

    def __init__(self, table: str, record_type: str, *, id_column: str = "id", exclude: tuple[str, ...] = ()) -> None:
        """``id_column`` names the record a row belongs to (a membership row is logged on its user)."""
        trigger = f"{table}_log_change"
        args = ", ".join(_quote(a) for a in (record_type, id_column, *ALWAYS_EXCLUDED, *exclude))
        super().__init__(
            sql=(
                f'CREATE TRIGGER "{trigger}" AFTER INSERT OR UPDATE OR DELETE ON "{table}" '
                f"FOR EACH ROW EXECUTE FUNCTION audits_log_change({args});"
            ),
            reverse_sql=f'DROP TRIGGER IF EXISTS "{trigger}" ON "{table}";',
        )

