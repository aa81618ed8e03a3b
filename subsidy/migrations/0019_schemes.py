"""Schemes as data: the HK standard patent subsidy becomes the first row of Scheme; every
funding round and every patent claim belongs to it; reference numbers count per scheme
prefix and year; one live claim per patent *and scheme*."""

import django.core.validators
import django.db.models.deletion
from django.db import migrations, models

import subsidy.models.schemes

HK_SCHEME = {
    "code": "gd-hk-standard-patent",
    "name": "广东省香港标准专利资助计划",
    "name_en": "Guangdong Subsidy Scheme for Hong Kong Standard Patents",
    "legal_basis": "",
    "reference_prefix": "GDHK",
    "offices": ["HK"],
    "rule_set": "hk_standard_patent",
    "amount_method": "cost_share",
    "required_documents": ["grant_certificate", "fee_receipt"],
    "ceiling_share": None,
    "sunset_on": None,
}


def first_scheme(apps, schema_editor):
    Scheme = apps.get_model("subsidy", "Scheme")
    FundingRound = apps.get_model("subsidy", "FundingRound")
    PatentClaim = apps.get_model("subsidy", "PatentClaim")
    ReferenceCounter = apps.get_model("subsidy", "ReferenceCounter")
    ReferenceSequence = apps.get_model("subsidy", "ReferenceSequence")
    scheme = Scheme.objects.create(**HK_SCHEME)
    FundingRound.objects.update(scheme=scheme)
    PatentClaim.objects.update(scheme=scheme)  # every claim so far is of the one scheme
    ReferenceSequence.objects.bulk_create(
        ReferenceSequence(prefix="GDHK", year=counter.year, last_value=counter.last_value)
        for counter in ReferenceCounter.objects.all()
    )


def no_scheme(apps, schema_editor):
    ReferenceCounter = apps.get_model("subsidy", "ReferenceCounter")
    ReferenceSequence = apps.get_model("subsidy", "ReferenceSequence")
    ReferenceCounter.objects.bulk_create(
        ReferenceCounter(year=sequence.year, last_value=sequence.last_value)
        for sequence in ReferenceSequence.objects.filter(prefix="GDHK")
    )


class Migration(migrations.Migration):
    dependencies = [
        ("subsidy", "0018_round_name_in_english"),
    ]

    operations = [
        migrations.CreateModel(
            name="Scheme",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("code", models.SlugField(max_length=40, unique=True, verbose_name="code")),
                ("name", models.CharField(help_text="In Simplified Chinese.", max_length=200, verbose_name="name")),
                ("name_en", models.CharField(max_length=200, verbose_name="name in English")),
                (
                    "legal_basis",
                    models.TextField(
                        blank=True,
                        help_text="The policy document the scheme rests on, e.g. its number and title.",
                        verbose_name="legal basis",
                    ),
                ),
                (
                    "reference_prefix",
                    models.CharField(
                        help_text="Claims of the scheme are numbered PREFIX-YEAR-NNNNNN.",
                        max_length=8,
                        unique=True,
                        validators=[
                            django.core.validators.RegexValidator(
                                "^[A-Z]{2,8}$", "Two to eight capital letters, e.g. GDHK."
                            )
                        ],
                        verbose_name="reference prefix",
                    ),
                ),
                (
                    "offices",
                    models.JSONField(
                        default=subsidy.models.schemes.hk_offices,
                        help_text="The offices whose granted patents the scheme funds.",
                        verbose_name="patent offices",
                    ),
                ),
                ("rule_set", models.CharField(max_length=40, verbose_name="rule set")),
                ("amount_method", models.CharField(max_length=40, verbose_name="amount method")),
                (
                    "required_documents",
                    models.JSONField(default=subsidy.models.schemes.hk_documents, verbose_name="required documents"),
                ),
                (
                    "ceiling_share",
                    models.DecimalField(
                        blank=True,
                        decimal_places=4,
                        help_text="E.g. 0.5: all public support for a patent family stays within half of its official fees.",
                        max_digits=5,
                        null=True,
                        validators=[
                            django.core.validators.MinValueValidator(0),
                            django.core.validators.MaxValueValidator(1),
                        ],
                        verbose_name="ceiling: share of official fees",
                    ),
                ),
                (
                    "sunset_on",
                    models.DateField(
                        blank=True,
                        help_text="No round of the scheme may be open after this day.",
                        null=True,
                        verbose_name="ends on",
                    ),
                ),
            ],
            options={
                "verbose_name": "subsidy scheme",
                "verbose_name_plural": "subsidy schemes",
                "ordering": ["code"],
                "constraints": [
                    models.CheckConstraint(
                        condition=models.Q(
                            ("ceiling_share__isnull", True),
                            models.Q(("ceiling_share__gte", 0), ("ceiling_share__lte", 1)),
                            _connector="OR",
                        ),
                        name="scheme_ceiling_share_0_1",
                    )
                ],
            },
        ),
        migrations.CreateModel(
            name="ReferenceSequence",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("prefix", models.CharField(max_length=8)),
                ("year", models.PositiveSmallIntegerField()),
                ("last_value", models.PositiveIntegerField(default=0)),
            ],
            options={
                "constraints": [
                    models.UniqueConstraint(fields=("prefix", "year"), name="one_sequence_per_prefix_and_year")
                ],
            },
        ),
        migrations.AddField(
            model_name="fundinground",
            name="scheme",
            field=models.ForeignKey(
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="rounds",
                to="subsidy.scheme",
                verbose_name="scheme",
            ),
        ),
        migrations.AddField(
            model_name="patentclaim",
            name="scheme",
            field=models.ForeignKey(
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to="subsidy.scheme",
                verbose_name="scheme",
            ),
        ),
        migrations.AddField(
            model_name="fundinground",
            name="amounts_by_office",
            field=models.JSONField(
                blank=True,
                default=dict,
                help_text='For schemes that pay a fixed amount per granted patent, e.g. {"US": "4500.00", "EP": "17000.00"}.',
                verbose_name="fixed amount per patent office (CNY)",
            ),
        ),
        migrations.RunPython(first_scheme, no_scheme),
        migrations.AlterField(
            model_name="fundinground",
            name="scheme",
            field=models.ForeignKey(
                on_delete=django.db.models.deletion.PROTECT,
                related_name="rounds",
                to="subsidy.scheme",
                verbose_name="scheme",
            ),
        ),
        migrations.AlterField(
            model_name="patentclaim",
            name="scheme",
            field=models.ForeignKey(
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to="subsidy.scheme",
                verbose_name="scheme",
            ),
        ),
        migrations.RemoveConstraint(model_name="patentclaim", name="one_live_claim_per_hk_patent"),
        migrations.AddConstraint(
            model_name="patentclaim",
            constraint=models.UniqueConstraint(
                condition=models.Q(("released_at__isnull", True)),
                fields=("scheme", "hk_key"),
                name="one_live_claim_per_patent_and_scheme",
            ),
        ),
        migrations.DeleteModel(name="ReferenceCounter"),
    ]
