"""Audit rows are append-only in the database too (PostgreSQL trigger), and every
role of DESIGN.md §6 exists as a Django group."""

from typing import Any

from django.db import migrations

ROLES = [
    "applicant",
    "agent",
    "reviewer",
    "approver",
    "finance_officer",
    "finance_approver",
    "scheme_admin",
    "auditor",
]

TRIGGER = """
CREATE OR REPLACE FUNCTION subsidy_audit_append_only() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'audit entries are append-only';
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER subsidy_auditentry_append_only
    BEFORE UPDATE OR DELETE ON subsidy_auditentry
    FOR EACH ROW EXECUTE FUNCTION subsidy_audit_append_only();
"""
DROP_TRIGGER = """
DROP TRIGGER IF EXISTS subsidy_auditentry_append_only ON subsidy_auditentry;
DROP FUNCTION IF EXISTS subsidy_audit_append_only();
"""


def add_trigger(apps: Any, schema_editor: Any) -> None:
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(TRIGGER)


def drop_trigger(apps: Any, schema_editor: Any) -> None:
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP_TRIGGER)


def add_roles(apps: Any, schema_editor: Any) -> None:
    group = apps.get_model("auth", "Group")
    for name in ROLES:
        group.objects.get_or_create(name=name)


class Migration(migrations.Migration):
    dependencies = [
        ("subsidy", "0001_initial"),
        ("auth", "0012_alter_user_first_name_max_length"),
    ]

    operations = [
        migrations.RunPython(add_trigger, drop_trigger),
        migrations.RunPython(add_roles, migrations.RunPython.noop),
    ]
