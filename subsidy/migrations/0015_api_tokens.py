"""Personal API tokens, stored as hashes (subsidy.models.tokens), replace DRF's
rest_framework.authtoken: its table of plain-text keys, one per user and creatable by an
administrator for anyone, is dropped so that none of those keys works again."""

import django.db.models.deletion
import django.utils.timezone
from django.conf import settings
from django.db import migrations, models

# Portable: SQLite and PostgreSQL both know IF EXISTS (a database made after
# rest_framework.authtoken left INSTALLED_APPS never had the table).
DROP_AUTHTOKEN = "DROP TABLE IF EXISTS authtoken_token"


class Migration(migrations.Migration):
    dependencies = [
        ("subsidy", "0014_enrolment_code_from_command_line"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.RunSQL(DROP_AUTHTOKEN, reverse_sql=migrations.RunSQL.noop),
        migrations.CreateModel(
            name="ApiToken",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                (
                    "name",
                    models.CharField(
                        help_text="Your own label, e.g. the script that uses it.", max_length=100, verbose_name="name"
                    ),
                ),
                ("key_hash", models.CharField(editable=False, max_length=64, unique=True)),
                ("prefix", models.CharField(editable=False, max_length=8, verbose_name="starts with")),
                ("created_at", models.DateTimeField(default=django.utils.timezone.now, verbose_name="created")),
                ("expires_at", models.DateTimeField(verbose_name="expires")),
                ("last_used_at", models.DateTimeField(blank=True, null=True, verbose_name="last used")),
                ("revoked_at", models.DateTimeField(blank=True, null=True, verbose_name="revoked at")),
                (
                    "revoked_reason",
                    models.CharField(
                        blank=True,
                        choices=[
                            ("revoked_by_owner", "revoked by its owner"),
                            ("password_changed", "password changed"),
                            ("two_factor_reset", "two-factor sign-in reset"),
                            ("account_deactivated", "account deactivated"),
                        ],
                        max_length=40,
                        verbose_name="why revoked",
                    ),
                ),
                (
                    "user",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="api_tokens",
                        to=settings.AUTH_USER_MODEL,
                        verbose_name="user",
                    ),
                ),
            ],
            options={
                "verbose_name": "API token",
                "verbose_name_plural": "API tokens",
                "ordering": ["-created_at", "-id"],
            },
        ),
    ]
