"""The payee of a claim is fixed at approval (existing approved, in-payment and paid claims
take it from their last live batch line, or else from the applicant's details as they are
now); changes of identity or bank details after they count wait for verification; and the
database refuses a staff account acting for an applicant, or anyone deciding, releasing
or verifying anything for an applicant they can act for (PostgreSQL triggers)."""

from typing import Any

import django.db.models.deletion
import django_fsm
from django.conf import settings
from django.db import migrations, models


STAFF_ROLES = "('reviewer', 'approver', 'finance_officer', 'finance_approver', 'scheme_admin', 'auditor')"

TRIGGERS = f"""
CREATE OR REPLACE FUNCTION subsidy_user_is_staff(uid integer) RETURNS boolean AS $$
    SELECT EXISTS (SELECT 1 FROM auth_user u WHERE u.id = uid AND (u.is_staff OR u.is_superuser))
        OR EXISTS (SELECT 1 FROM auth_user_groups ug JOIN auth_group g ON g.id = ug.group_id
                   WHERE ug.user_id = uid AND g.name IN {STAFF_ROLES});
$$ LANGUAGE sql STABLE;

CREATE OR REPLACE FUNCTION subsidy_access_not_staff() RETURNS trigger AS $$
BEGIN
    IF TG_OP = 'DELETE' THEN
        RAISE EXCEPTION 'applicant access is kept for good (user %, applicant %)', OLD.user_id, OLD.applicant_id;
    END IF;
    PERFORM 1 FROM auth_user WHERE id = NEW.user_id FOR UPDATE;
    IF subsidy_user_is_staff(NEW.user_id) THEN
        RAISE EXCEPTION 'staff account % cannot act for an applicant', NEW.user_id;
    END IF;
    RETURN NEW;
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER subsidy_access_not_staff
    BEFORE INSERT OR UPDATE OR DELETE ON subsidy_applicantaccess
    FOR EACH ROW EXECUTE FUNCTION subsidy_access_not_staff();

CREATE OR REPLACE FUNCTION subsidy_staff_role_not_applicant() RETURNS trigger AS $$
BEGIN
    PERFORM 1 FROM auth_user WHERE id = NEW.user_id FOR UPDATE;
    IF EXISTS (SELECT 1 FROM auth_group g WHERE g.id = NEW.group_id AND g.name IN {STAFF_ROLES})
       AND EXISTS (SELECT 1 FROM subsidy_applicantaccess a WHERE a.user_id = NEW.user_id) THEN
        RAISE EXCEPTION 'account % acts (or acted) for an applicant and cannot hold a staff role', NEW.user_id;
    END IF;
    RETURN NEW;
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER subsidy_staff_role_not_applicant
    BEFORE INSERT OR UPDATE ON auth_user_groups
    FOR EACH ROW EXECUTE FUNCTION subsidy_staff_role_not_applicant();

CREATE OR REPLACE FUNCTION subsidy_staff_flag_not_applicant() RETURNS trigger AS $$
BEGIN
    IF (NEW.is_staff OR NEW.is_superuser)
       AND EXISTS (SELECT 1 FROM subsidy_applicantaccess a WHERE a.user_id = NEW.id) THEN
        RAISE EXCEPTION 'account % acts (or acted) for an applicant and cannot be staff', NEW.id;
    END IF;
    RETURN NEW;
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER subsidy_staff_flag_not_applicant
    BEFORE UPDATE OF is_staff, is_superuser ON auth_user
    FOR EACH ROW EXECUTE FUNCTION subsidy_staff_flag_not_applicant();

CREATE OR REPLACE FUNCTION subsidy_application_independent_staff() RETURNS trigger AS $$
BEGIN
    IF EXISTS (SELECT 1 FROM subsidy_applicantaccess a
               WHERE a.applicant_id = NEW.applicant_id AND a.user_id IN (NEW.reviewer_id, NEW.approver_id)) THEN
        RAISE EXCEPTION 'claim %: its reviewer or approver acts for its applicant', NEW.id;
    END IF;
    RETURN NEW;
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER subsidy_application_independent_staff
    BEFORE INSERT OR UPDATE OF reviewer_id, approver_id ON subsidy_application
    FOR EACH ROW EXECUTE FUNCTION subsidy_application_independent_staff();

CREATE OR REPLACE FUNCTION subsidy_batch_independent_staff() RETURNS trigger AS $$
BEGIN
    IF EXISTS (SELECT 1 FROM subsidy_batchline l
               JOIN subsidy_application ap ON ap.id = l.application_id
               JOIN subsidy_applicantaccess a ON a.applicant_id = ap.applicant_id
               WHERE l.batch_id = NEW.id AND a.user_id IN (NEW.submitted_by_id, NEW.released_by_id)) THEN
        RAISE EXCEPTION 'batch %: it pays an applicant its maker or checker acts for', NEW.reference;
    END IF;
    RETURN NEW;
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER subsidy_batch_independent_staff
    BEFORE UPDATE OF submitted_by_id, released_by_id ON subsidy_batch
    FOR EACH ROW EXECUTE FUNCTION subsidy_batch_independent_staff();

CREATE OR REPLACE FUNCTION subsidy_change_independent_staff() RETURNS trigger AS $$
BEGIN
    IF EXISTS (SELECT 1 FROM subsidy_applicantaccess a
               WHERE a.applicant_id = NEW.applicant_id AND a.user_id IN (NEW.checked_by_id, NEW.decided_by_id)) THEN
        RAISE EXCEPTION 'change %: verified by someone who acts for the applicant', NEW.id;
    END IF;
    RETURN NEW;
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER subsidy_change_independent_staff
    BEFORE INSERT OR UPDATE OF checked_by_id, decided_by_id ON subsidy_applicantchange
    FOR EACH ROW EXECUTE FUNCTION subsidy_change_independent_staff();
"""  # noqa: S608 (constant role names, no input)

DROP_TRIGGERS = """
DROP TRIGGER IF EXISTS subsidy_change_independent_staff ON subsidy_applicantchange;
DROP FUNCTION IF EXISTS subsidy_change_independent_staff();
DROP TRIGGER IF EXISTS subsidy_batch_independent_staff ON subsidy_batch;
DROP FUNCTION IF EXISTS subsidy_batch_independent_staff();
DROP TRIGGER IF EXISTS subsidy_application_independent_staff ON subsidy_application;
DROP FUNCTION IF EXISTS subsidy_application_independent_staff();
DROP TRIGGER IF EXISTS subsidy_staff_flag_not_applicant ON auth_user;
DROP FUNCTION IF EXISTS subsidy_staff_flag_not_applicant();
DROP TRIGGER IF EXISTS subsidy_staff_role_not_applicant ON auth_user_groups;
DROP FUNCTION IF EXISTS subsidy_staff_role_not_applicant();
DROP TRIGGER IF EXISTS subsidy_access_not_staff ON subsidy_applicantaccess;
DROP FUNCTION IF EXISTS subsidy_access_not_staff();
DROP FUNCTION IF EXISTS subsidy_user_is_staff(integer);
"""


def add_triggers(apps: Any, schema_editor: Any) -> None:
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(TRIGGERS, params=None)


def drop_triggers(apps: Any, schema_editor: Any) -> None:
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP_TRIGGERS, params=None)


def fix_payees(apps: Any, schema_editor: Any) -> None:
    application = apps.get_model("subsidy", "Application")
    line = apps.get_model("subsidy", "BatchLine")
    for claim in application.objects.filter(status__in=["approved", "in_payment", "paid"]).select_related("applicant"):
        last = line.objects.filter(application=claim, status__in=["pending", "paid"]).order_by("-id").first()
        if last is not None:
            claim.payee_name, claim.payee_bank_name = last.payee_name, last.bank_name
            claim.payee_account_number, claim.payee_cnaps_code = last.account_number, last.cnaps_code
        else:
            applicant = claim.applicant
            claim.payee_name, claim.payee_bank_name = applicant.bank_account_name, applicant.bank_name
            claim.payee_account_number, claim.payee_cnaps_code = applicant.bank_account_number, applicant.cnaps_code
        claim.save(update_fields=["payee_name", "payee_bank_name", "payee_account_number", "payee_cnaps_code"])


class Migration(migrations.Migration):
    dependencies = [
        ("subsidy", "0015_api_tokens"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddField(
            model_name="application",
            name="payee_account_number",
            field=models.CharField(blank=True, max_length=30, verbose_name="payee account number"),
        ),
        migrations.AddField(
            model_name="application",
            name="payee_bank_name",
            field=models.CharField(blank=True, max_length=200, verbose_name="payee bank"),
        ),
        migrations.AddField(
            model_name="application",
            name="payee_cnaps_code",
            field=models.CharField(blank=True, max_length=12, verbose_name="payee CNAPS code"),
        ),
        migrations.AddField(
            model_name="application",
            name="payee_name",
            field=models.CharField(blank=True, max_length=200, verbose_name="payee account name"),
        ),
        migrations.CreateModel(
            name="ApplicantChange",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                (
                    "status",
                    django_fsm.FSMField(
                        choices=[
                            ("pending", "Waiting for a first check"),
                            ("checked", "Checked, waiting for confirmation"),
                            ("applied", "Verified and applied"),
                            ("refused", "Refused"),
                            ("superseded", "Replaced by a newer change"),
                        ],
                        default="pending",
                        max_length=20,
                        protected=True,
                        verbose_name="status",
                    ),
                ),
                ("proposed", models.JSONField(verbose_name="requested values")),
                ("previous", models.JSONField(verbose_name="values before")),
                ("note", models.TextField(blank=True, verbose_name="applicant's note")),
                ("requested_at", models.DateTimeField(auto_now_add=True, verbose_name="requested")),
                ("checked_at", models.DateTimeField(blank=True, null=True, verbose_name="checked")),
                ("decided_at", models.DateTimeField(blank=True, null=True, verbose_name="decided")),
                ("decision_note", models.TextField(blank=True, verbose_name="staff note")),
                (
                    "applicant",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="changes",
                        to="subsidy.applicant",
                        verbose_name="applicant",
                    ),
                ),
                (
                    "checked_by",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                        verbose_name="checked by",
                    ),
                ),
                (
                    "decided_by",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                        verbose_name="decided by",
                    ),
                ),
                (
                    "requested_by",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                        verbose_name="requested by",
                    ),
                ),
            ],
            options={
                "verbose_name": "change of applicant details",
                "verbose_name_plural": "changes of applicant details",
                "ordering": ["requested_at", "id"],
                "constraints": [
                    models.UniqueConstraint(
                        condition=models.Q(("status__in", ["pending", "checked"])),
                        fields=("applicant",),
                        name="one_open_change_per_applicant",
                    ),
                    models.CheckConstraint(
                        condition=models.Q(
                            models.Q(("status", "applied"), _negated=True),
                            models.Q(
                                ("checked_by__isnull", False),
                                ("decided_by__isnull", False),
                                models.Q(("decided_by", models.F("checked_by")), _negated=True),
                            ),
                            _connector="OR",
                        ),
                        name="applicant_change_four_eyes",
                    ),
                ],
            },
            bases=(django_fsm.ConcurrentTransitionMixin, models.Model),
        ),
        migrations.RunPython(fix_payees, migrations.RunPython.noop),
        migrations.RunPython(add_triggers, drop_triggers),
    ]
