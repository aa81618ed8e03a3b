"""The HK patent becomes a patent of any office, in a family (issue 19).

HKPatent → Patent (hk_number → number, with its office, HK for every existing row),
HKPatentProprietor → PatentProprietor, PatentClaim.hk_key → patent_key, and each
patent is attached to its family: the designated application of a route R patent,
else the patent itself.
"""

import django.db.models.deletion
from django.db import migrations, models


def attach_families(apps, schema_editor):
    """Each patent joins the family of any identifier it shares (as family_for does)."""
    from subsidy.models.patents import family_keys

    Patent = apps.get_model("subsidy", "Patent")
    PatentFamily = apps.get_model("subsidy", "PatentFamily")
    PatentFamilyKey = apps.get_model("subsidy", "PatentFamilyKey")
    for patent in Patent.objects.filter(family__isnull=True).order_by("pk").iterator():
        keys = family_keys(
            office=patent.office,
            number=patent.number,
            designated_office=patent.designated_office,
            designated_number=patent.designated_application_number,
            priority_office=patent.priority_office,
            priority_number=patent.priority_number,
        )
        found = list(PatentFamily.objects.filter(keys__key__in=keys).distinct().order_by("pk"))
        family = found[0] if found else PatentFamily.objects.create(key=keys[0])
        for other in found[1:]:
            Patent.objects.filter(family=other).update(family=family)
            PatentFamilyKey.objects.filter(family=other).update(family=family)
            other.delete()
        PatentFamilyKey.objects.bulk_create(
            [PatentFamilyKey(key=key, family=family) for key in keys], ignore_conflicts=True
        )
        Patent.objects.filter(pk=patent.pk).update(family=family)


OFFICES = [
    ("HK", "Hong Kong"),
    ("CN", "Chinese mainland"),
    ("US", "United States"),
    ("EP", "European Patent Office"),
    ("JP", "Japan"),
    ("KR", "Republic of Korea"),
    ("GB", "United Kingdom"),
]


class Migration(migrations.Migration):
    dependencies = [("subsidy", "0020_staff_scopes")]

    operations = [
        migrations.RemoveConstraint(model_name="hkpatent", name="patent_route_r_has_designation"),
        migrations.RenameModel("HKPatent", "Patent"),
        migrations.RenameModel("HKPatentProprietor", "PatentProprietor"),
        migrations.RenameField("patent", "hk_number", "number"),
        migrations.AlterField(
            model_name="patent", name="number", field=models.CharField(max_length=30, verbose_name="patent number")
        ),
        migrations.AddField(
            model_name="patent",
            name="office",
            field=models.CharField(choices=OFFICES, default="HK", max_length=2, verbose_name="patent office"),
        ),
        migrations.AlterField(
            model_name="patent",
            name="kind",
            field=models.CharField(
                choices=[
                    ("standard", "Standard patent"),
                    ("short_term", "Short-term patent"),
                    ("invention", "Invention patent"),
                ],
                default="standard",
                max_length=20,
                verbose_name="patent type",
            ),
        ),
        migrations.AlterField(
            model_name="patent",
            name="route",
            field=models.CharField(
                blank=True,
                choices=[("R", "R: re-registration of a designated patent"), ("O", "O: original grant")],
                max_length=1,
                verbose_name="route",
            ),
        ),
        migrations.AlterField(
            model_name="patent", name="grant_date", field=models.DateField(verbose_name="grant date")
        ),
        migrations.AddField(
            model_name="patent",
            name="priority_office",
            field=models.CharField(
                blank=True,
                choices=[*OFFICES, ("WO", "International application (PCT)")],
                max_length=2,
                verbose_name="priority application: office",
            ),
        ),
        migrations.AddField(
            model_name="patent",
            name="priority_number",
            field=models.CharField(blank=True, max_length=40, verbose_name="priority application number"),
        ),
        migrations.AlterModelOptions(
            name="patent", options={"verbose_name": "patent", "verbose_name_plural": "patents"}
        ),
        migrations.CreateModel(
            name="PatentFamily",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                (
                    "key",
                    models.CharField(
                        help_text="The first identifier the family was seen with.",
                        max_length=40,
                        verbose_name="family",
                    ),
                ),
                ("created_at", models.DateTimeField(auto_now_add=True)),
            ],
            options={"verbose_name": "patent family", "verbose_name_plural": "patent families"},
        ),
        migrations.CreateModel(
            name="PatentFamilyKey",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("key", models.CharField(max_length=40, unique=True, verbose_name="identifier")),
                (
                    "family",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE, related_name="keys", to="subsidy.patentfamily"
                    ),
                ),
            ],
            options={"verbose_name": "family identifier", "verbose_name_plural": "family identifiers"},
        ),
        migrations.AddField(
            model_name="patent",
            name="family",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="patents",
                to="subsidy.patentfamily",
                verbose_name="family",
            ),
        ),
        migrations.AddConstraint(
            model_name="patent",
            constraint=models.CheckConstraint(
                condition=models.Q(route="O")
                | ~models.Q(office="HK")
                | ~models.Q(designated_office="") & ~models.Q(designated_application_number=""),
                name="patent_route_r_has_designation",
            ),
        ),
        migrations.AddConstraint(
            model_name="patent",
            constraint=models.CheckConstraint(
                condition=models.Q(office="HK", route__in=["R", "O"]) | ~models.Q(office="HK") & models.Q(route=""),
                name="patent_route_only_in_hk",
            ),
        ),
        migrations.RemoveConstraint(model_name="patentclaim", name="one_live_claim_per_patent_and_scheme"),
        migrations.RenameField("patentclaim", "hk_key", "patent_key"),
        migrations.AlterField(
            model_name="patentclaim", name="patent_key", field=models.CharField(max_length=30, verbose_name="patent")
        ),
        migrations.AddConstraint(
            model_name="patentclaim",
            constraint=models.UniqueConstraint(
                condition=models.Q(released_at__isnull=True),
                fields=("scheme", "patent_key"),
                name="one_live_claim_per_patent_and_scheme",
            ),
        ),
        migrations.RunPython(attach_families, migrations.RunPython.noop),
    ]
