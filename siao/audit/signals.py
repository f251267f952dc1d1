"""Keep the database's append-only guard in place: on SQLite, any later migration that
rebuilds the audit table (an AlterField does) silently drops its trigger. After every
`migrate`, put it back if it is missing."""

from django.db import connections

SQLITE_TRIGGER = """
CREATE TRIGGER IF NOT EXISTS audit_event_no_update BEFORE UPDATE ON audit_auditevent
BEGIN SELECT RAISE(ABORT, 'audit trail is append-only'); END;
"""


def ensure_append_only_trigger(sender, using="default", **kwargs):
    connection = connections[using]
    if connection.vendor != "sqlite" or "audit_auditevent" not in connection.introspection.table_names():
        return
    with connection.cursor() as cursor:
        cursor.execute(SQLITE_TRIGGER)
