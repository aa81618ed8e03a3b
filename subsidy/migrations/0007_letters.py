"""Decision letters. On PostgreSQL a trigger keeps an issued letter as issued: its
file, digest and content never change, it is never deleted, and its status only
moves on to superseded or revoked."""

import django.db.models.deletion
import subsidy.models.letters
from django.conf import settings
from typing import Any

from django.db import migrations, models

TRIGGER = """
CREATE OR REPLACE FUNCTION subsidy_letter_immutable() RETURNS trigger AS $$
BEGIN
    IF TG_OP = 'DELETE' THEN
        RAISE EXCEPTION 'letters are never deleted';
    END IF;
    IF OLD.status <> 'pending' AND (
        NEW.file IS DISTINCT FROM OLD.file OR NEW.sha256 IS DISTINCT FROM OLD.sha256
        OR NEW.content IS DISTINCT FROM OLD.content OR NEW.reference IS DISTINCT FROM OLD.reference
        OR NEW.token IS DISTINCT FROM OLD.token OR NEW.issued_at IS DISTINCT FROM OLD.issued_at
        OR NEW.application_id IS DISTINCT FROM OLD.application_id
    ) THEN
        RAISE EXCEPTION 'letter % was issued and cannot change', OLD.reference;
    END IF;
    IF OLD.status <> NEW.status AND NOT (
        (OLD.status = 'pending' AND NEW.status IN ('issued', 'revoked'))
        OR (OLD.status = 'issued' AND NEW.status IN ('superseded', 'revoked'))
    ) THEN
        RAISE EXCEPTION 'letter % cannot go from % to %', OLD.reference, OLD.status, NEW.status;
    END IF;
    RETURN NEW;
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER subsidy_letter_immutable
    BEFORE UPDATE OR DELETE ON subsidy_letter
    FOR EACH ROW EXECUTE FUNCTION subsidy_letter_immutable();
"""
DROP_TRIGGER = """
DROP TRIGGER IF EXISTS subsidy_letter_immutable ON subsidy_letter;
DROP FUNCTION IF EXISTS subsidy_letter_immutable();
"""


def add_trigger(apps: Any, schema_editor: Any) -> None:
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(TRIGGER, params=None)


def drop_trigger(apps: Any, schema_editor: Any) -> None:
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP_TRIGGER, params=None)


class Migration(migrations.Migration):
    dependencies = [
        ("subsidy", "0006_disbursement"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name="Letter",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                (
                    "kind",
                    models.CharField(
                        choices=[("approval", "Approval letter"), ("rejection", "Rejection letter")],
                        max_length=10,
                        verbose_name="kind",
                    ),
                ),
                ("version", models.PositiveSmallIntegerField(default=1, verbose_name="version")),
                ("reference", models.CharField(max_length=30, unique=True, verbose_name="letter reference")),
                (
                    "token",
                    models.CharField(
                        default=subsidy.models.letters.new_verification_token,
                        max_length=16,
                        unique=True,
                        verbose_name="verification code",
                    ),
                ),
                (
                    "status",
                    models.CharField(
                        choices=[
                            ("pending", "Being generated"),
                            ("issued", "Issued"),
                            ("superseded", "Superseded by a correction"),
                            ("revoked", "Revoked (the decision was reopened)"),
                        ],
                        default="pending",
                        max_length=12,
                        verbose_name="status",
                    ),
                ),
                ("content", models.JSONField(verbose_name="content snapshot")),
                ("requested_at", models.DateTimeField(auto_now_add=True, verbose_name="requested")),
                ("correction_reason", models.TextField(blank=True, verbose_name="reason for the correction")),
                ("issued_at", models.DateTimeField(blank=True, null=True, verbose_name="issued")),
                ("file", models.FileField(blank=True, max_length=200, upload_to="letters/", verbose_name="file")),
                ("size", models.PositiveIntegerField(blank=True, null=True, verbose_name="size (bytes)")),
                ("sha256", models.CharField(blank=True, max_length=64, verbose_name="SHA-256")),
                ("attempts", models.PositiveSmallIntegerField(default=0, verbose_name="failed attempts")),
                ("last_error", models.TextField(blank=True, verbose_name="last error")),
                (
                    "application",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="letters",
                        to="subsidy.application",
                        verbose_name="application",
                    ),
                ),
                (
                    "requested_by",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
                (
                    "supersedes",
                    models.OneToOneField(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="superseded_by",
                        to="subsidy.letter",
                    ),
                ),
            ],
            options={
                "verbose_name": "letter",
                "verbose_name_plural": "letters",
                "ordering": ["application", "-version", "-id"],
                "constraints": [
                    models.UniqueConstraint(fields=("application", "kind", "version"), name="letter_version_unique"),
                    models.UniqueConstraint(
                        condition=models.Q(("status", "pending")), fields=("application",), name="letter_one_pending"
                    ),
                    models.UniqueConstraint(
                        condition=models.Q(("status", "issued")), fields=("application",), name="letter_one_issued"
                    ),
                    models.CheckConstraint(
                        condition=models.Q(
                            ("status__in", ["pending", "revoked"]),
                            models.Q(models.Q(("file", ""), _negated=True), ("sha256__regex", "^[0-9a-f]{64}$")),
                            _connector="OR",
                        ),
                        name="letter_issued_has_file_and_digest",
                    ),
                ],
            },
        ),
        migrations.RunPython(add_trigger, drop_trigger),
    ]
