"""Staff may be limited to some schemes (subsidy.models.staff_scopes): an account without
a row works on every scheme. The database refuses a claim's reviewer or approver, and a
batch's maker or checker, who does not work on the scheme of what they act on
(PostgreSQL triggers, as migration 0016's for conflicts of interest)."""

from typing import Any

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models

TRIGGERS = """
CREATE OR REPLACE FUNCTION subsidy_user_serves_scheme(uid bigint, scheme bigint) RETURNS boolean AS $$
    SELECT uid IS NULL
        OR NOT EXISTS (SELECT 1 FROM subsidy_staffscope s WHERE s.user_id = uid)
        OR EXISTS (SELECT 1 FROM subsidy_staffscope s WHERE s.user_id = uid AND s.scheme_id = scheme);
$$ LANGUAGE sql STABLE;

CREATE OR REPLACE FUNCTION subsidy_application_staff_in_scope() RETURNS trigger AS $$
DECLARE
    scheme bigint := (SELECT r.scheme_id FROM subsidy_fundinground r WHERE r.id = NEW.funding_round_id);
BEGIN
    -- Only a newly named reviewer or approver: a scope narrowed later leaves past work alone.
    IF (TG_OP = 'INSERT' OR NEW.reviewer_id IS DISTINCT FROM OLD.reviewer_id)
       AND NOT subsidy_user_serves_scheme(NEW.reviewer_id, scheme) THEN
        RAISE EXCEPTION 'claim %: reviewer % does not work on its scheme', NEW.id, NEW.reviewer_id;
    END IF;
    IF (TG_OP = 'INSERT' OR NEW.approver_id IS DISTINCT FROM OLD.approver_id)
       AND NOT subsidy_user_serves_scheme(NEW.approver_id, scheme) THEN
        RAISE EXCEPTION 'claim %: approver % does not work on its scheme', NEW.id, NEW.approver_id;
    END IF;
    RETURN NEW;
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER subsidy_application_staff_in_scope
    BEFORE INSERT OR UPDATE OF reviewer_id, approver_id ON subsidy_application
    FOR EACH ROW EXECUTE FUNCTION subsidy_application_staff_in_scope();

CREATE OR REPLACE FUNCTION subsidy_batch_outside_scope(batch bigint, uid bigint) RETURNS boolean AS $$
    SELECT EXISTS (SELECT 1 FROM subsidy_staffscope s WHERE s.user_id = uid)
       AND EXISTS (SELECT 1 FROM subsidy_batchline l
                   JOIN subsidy_application ap ON ap.id = l.application_id
                   JOIN subsidy_fundinground r ON r.id = ap.funding_round_id
                   WHERE l.batch_id = batch
                     AND r.scheme_id NOT IN (SELECT s.scheme_id FROM subsidy_staffscope s WHERE s.user_id = uid));
$$ LANGUAGE sql STABLE;

CREATE OR REPLACE FUNCTION subsidy_batch_staff_in_scope() RETURNS trigger AS $$
BEGIN
    IF (NEW.submitted_by_id IS DISTINCT FROM OLD.submitted_by_id
        AND subsidy_batch_outside_scope(NEW.id, NEW.submitted_by_id))
       OR (NEW.released_by_id IS DISTINCT FROM OLD.released_by_id
        AND subsidy_batch_outside_scope(NEW.id, NEW.released_by_id)) THEN
        RAISE EXCEPTION 'batch %: it pays claims of a scheme its maker or checker does not work on', NEW.reference;
    END IF;
    RETURN NEW;
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER subsidy_batch_staff_in_scope
    BEFORE UPDATE OF submitted_by_id, released_by_id ON subsidy_batch
    FOR EACH ROW EXECUTE FUNCTION subsidy_batch_staff_in_scope();
"""

DROP_TRIGGERS = """
DROP TRIGGER IF EXISTS subsidy_batch_staff_in_scope ON subsidy_batch;
DROP FUNCTION IF EXISTS subsidy_batch_staff_in_scope();
DROP FUNCTION IF EXISTS subsidy_batch_outside_scope(bigint, bigint);
DROP TRIGGER IF EXISTS subsidy_application_staff_in_scope ON subsidy_application;
DROP FUNCTION IF EXISTS subsidy_application_staff_in_scope();
DROP FUNCTION IF EXISTS subsidy_user_serves_scheme(bigint, bigint);
"""


def add_triggers(apps: Any, schema_editor: Any) -> None:
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(TRIGGERS, params=None)


def drop_triggers(apps: Any, schema_editor: Any) -> None:
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP_TRIGGERS, params=None)


class Migration(migrations.Migration):
    dependencies = [
        ("subsidy", "0019_schemes"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name="StaffScope",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                (
                    "scheme",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to="subsidy.scheme",
                        verbose_name="scheme",
                    ),
                ),
                (
                    "user",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="staff_scopes",
                        to=settings.AUTH_USER_MODEL,
                        verbose_name="account",
                    ),
                ),
            ],
            options={
                "verbose_name": "scheme worked on",
                "verbose_name_plural": "schemes worked on",
                "constraints": [
                    models.UniqueConstraint(fields=("user", "scheme"), name="one_scope_per_account_and_scheme")
                ],
            },
        ),
        migrations.RunPython(add_triggers, drop_triggers),
    ]
