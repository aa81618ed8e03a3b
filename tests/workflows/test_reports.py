"""The dashboard's numbers against values worked out by hand on a fixed data set,
its query count independent of the number of claims, its exports and who may see it."""

import csv
import datetime as dt
import io
import zoneinfo
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from openpyxl import load_workbook

from subsidy import reports
from subsidy.models import Role
from tests.factories import (
    ApplicantFactory,
    ApplicationFactory,
    FundingRoundFactory,
    HKPatentFactory,
    staff_member,
    update_claim,
)

pytestmark = pytest.mark.django_db

SHANGHAI = zoneinfo.ZoneInfo("Asia/Shanghai")
NOW = timezone.now()
T0 = dt.datetime.combine(timezone.localdate() - dt.timedelta(days=60), dt.time(12), tzinfo=SHANGHAI)


def claim(funding_round, city, route, status, requested=None, approved=None, submitted=None, decided=None, **extra):
    patent = HKPatentFactory(route=route)
    application = ApplicationFactory(
        funding_round=funding_round, applicant=ApplicantFactory(city=city), patent=patent, complete=False
    )
    update_claim(
        application,
        status=status,
        reference=None if submitted is None else f"GDHK-R-{application.pk:06d}",
        requested_amount=requested,
        approved_amount=approved,
        submitted_at=submitted,
        decided_at=decided,
        **extra,
    )
    application.refresh_from_db()
    return application


@pytest.fixture
def data_set():
    """Eight claims in two rounds; the expected figures below are worked out from these by hand."""
    round_a = FundingRoundFactory(name="A", budget=Decimal("100000.00"), opens_on=timezone.localdate())
    round_b = FundingRoundFactory(
        name="B", budget=Decimal("50000.00"), opens_on=timezone.localdate() - dt.timedelta(days=100)
    )
    reviewer = staff_member(Role.REVIEWER)
    days = dt.timedelta(days=1)
    claim(round_a, "shenzhen", "R", "draft")
    late = claim(round_a, "guangzhou", "R", "submitted", Decimal("4000"), submitted=NOW - 30 * days)
    claim(round_a, "shenzhen", "O", "under_review", Decimal("3000"), submitted=NOW - 5 * days, reviewer=reviewer)
    claim(round_a, "shenzhen", "R", "approved", Decimal("5000"), Decimal("4000"), T0, T0 + 10 * days)
    claim(
        round_b,
        "foshan",
        "O",
        "paid",
        Decimal("6000"),
        Decimal("6000"),
        T0,
        T0 + 20 * days,
        paid_on=(T0 + 27 * days).date(),
    )
    claim(round_b, "guangzhou", "R", "rejected", Decimal("2000"), None, T0, T0 + 4 * days)
    claim(round_b, "foshan", "R", "in_payment", Decimal("1000"), Decimal("1000"), T0, T0 + 6 * days)
    claim(round_a, "shenzhen", "R", "withdrawn", Decimal("9999"), submitted=T0)
    return {"reviewer": reviewer, "late": late}


def rows(table):
    return {str(row[0]): row[1:] for row in table.rows}


def test_applications_by_status(data_set):
    table = rows(reports.by_status())
    assert table["Draft"] == [1, Decimal("0.00")]
    assert table["Submitted"] == [1, Decimal("4000.00")]
    assert table["Withdrawn"] == [1, Decimal("9999.00")]
    assert table["Paid"] == [1, Decimal("6000.00")]
    assert table["Awaiting decision"] == [0, Decimal("0.00")]
    assert len(table) == 11


def test_submitted_claims_by_city_cover_all_21_cities(data_set):
    table = rows(reports.by_city())
    assert len(table) == 21
    assert table["Shenzhen"] == [3, Decimal("8000.00"), Decimal("4000.00")]
    assert table["Guangzhou"] == [2, Decimal("6000.00"), Decimal("0.00")]
    assert table["Foshan"] == [2, Decimal("7000.00"), Decimal("7000.00")]
    assert table["Zhuhai"] == [0, Decimal("0.00"), Decimal("0.00")]


def test_submitted_claims_by_route(data_set):
    table = reports.by_route()
    assert [row[1:] for row in table.rows] == [
        [5, Decimal("12000.00"), Decimal("5000.00")],
        [2, Decimal("9000.00"), Decimal("6000.00")],
        [0, Decimal("0.00"), Decimal("0.00")],
    ]
    assert table.totals[1:] == [7, Decimal("21000.00"), Decimal("11000.00")]


def test_amounts_against_budget_per_round(data_set):
    assert rows(reports.rounds()) == {
        "A": [Decimal("100000.00"), Decimal("12000.00"), Decimal("4000.00"), 0, 0, Decimal("96000.00")],
        "B": [
            Decimal("50000.00"),
            Decimal("9000.00"),
            Decimal("7000.00"),
            Decimal("1000.00"),
            Decimal("6000.00"),
            Decimal("43000.00"),
        ],
    }


def test_processing_times_median_and_90th_percentile(data_set):
    # Decisions after 4, 6, 10 and 20 days: median (6 + 10) / 2 = 8; 90th: 10 + 0.7 x 10 = 17.
    # One payment, 7 days after its decision.
    assert [row[1:] for row in reports.processing_times().rows] == [
        [4, Decimal("8.0"), Decimal("17.0")],
        [1, Decimal("7.0"), Decimal("7.0")],
    ]


def test_python_percentiles_match_postgresql():
    assert reports.percentile_cont([20, 4, 10, 6], 0.5) == 8
    assert reports.percentile_cont([20, 4, 10, 6], 0.9) == pytest.approx(17)
    assert reports.percentile_cont([], 0.5) is None


def test_reviewer_workload_and_overdue_cases(data_set):
    workload = rows(reports.reviewer_workload(NOW))
    assert workload == {data_set["reviewer"].email: [1, 0, 0], "Not yet taken": [1, 0, 1]}
    overdue = reports.overdue_cases(NOW)
    assert [(row[0], row[1], row[6]) for row in overdue.rows] == [(data_set["late"].reference, "Guangzhou", 30)]


def test_the_dashboard_shows_every_table_with_its_query(client, data_set):
    client.force_login(staff_member(Role.AUDITOR))
    page = client.get("/staff/reports/").content.decode()
    for title in ("Applications by status", "Submitted claims by city", "Processing times (days)", "Reviewer workload"):
        assert title in page
    assert "<svg" in page
    assert "percentile_cont(ARRAY[0.5, 0.9])" in page
    assert "96,000.00" in page


def test_the_dashboard_query_count_does_not_grow_with_the_claims(client, data_set):
    client.force_login(staff_member(Role.SCHEME_ADMIN))
    with CaptureQueriesContext(connection) as few:
        assert client.get("/staff/reports/").status_code == 200
    round_c = FundingRoundFactory()
    for i in range(10):
        claim(round_c, "zhuhai", "R", "submitted", Decimal("100"), submitted=NOW - i * dt.timedelta(days=3))
    with CaptureQueriesContext(connection) as many:
        assert client.get("/staff/reports/").status_code == 200
    assert len(many) == len(few)


def test_every_table_exports_to_csv_and_xlsx(client, data_set):
    client.force_login(staff_member(Role.AUDITOR))
    for key in reports.REPORTS:
        response = client.get(f"/staff/reports/{key}.csv")
        assert response.status_code == 200
        text = response.content.decode("utf-8-sig")
        assert next(csv.reader(io.StringIO(text)))
        workbook = load_workbook(io.BytesIO(client.get(f"/staff/reports/{key}.xlsx").content))
        assert workbook.active.max_row >= 1
    cities = list(csv.reader(io.StringIO(client.get("/staff/reports/city.csv").content.decode("utf-8-sig"))))
    assert ["Shenzhen", "3", "8000.00", "4000.00"] in cities
    assert len(cities) == 1 + 21 + 1  # header, the cities, the totals


@pytest.mark.parametrize(
    ("role", "status"),
    [(Role.REVIEWER, 403), (Role.FINANCE_OFFICER, 403), (Role.AUDITOR, 200), (Role.SCHEME_ADMIN, 200)],
)
def test_only_scheme_administrators_and_auditors_see_the_reports(client, role, status):
    client.force_login(staff_member(role))
    assert client.get("/staff/reports/").status_code == status
    assert client.get("/staff/reports/status.csv").status_code == status


def test_the_reports_count_the_chosen_scheme_only_and_never_one_the_account_does_not_work_on(client, data_set):
    from tests.factories import staff_of_scheme, top_up_scheme

    city = top_up_scheme()
    claim(FundingRoundFactory(scheme=city), "zhuhai", "R", "submitted", Decimal("700"), submitted=NOW)
    auditor = staff_member(Role.AUDITOR)
    client.force_login(auditor)
    chosen = client.get(f"/staff/reports/city.csv?scheme={city.pk}").content.decode("utf-8-sig")
    assert [row[:2] for row in csv.reader(io.StringIO(chosen)) if row[0] in ("Zhuhai", "Shenzhen")] == [
        ["Shenzhen", "0"],
        ["Zhuhai", "1"],
    ]
    page = client.get(f"/staff/reports/?scheme={city.pk}")
    assert page.context["chosen_scheme"] == city.pk
    assert f'value="{city.pk}" selected' in page.content.decode()
    # An auditor of the province's scheme only cannot count the city's by choosing it.
    province_auditor = staff_of_scheme(data_set["late"].funding_round.scheme, Role.AUDITOR)
    client.force_login(province_auditor)
    counted = client.get(f"/staff/reports/city.csv?scheme={city.pk}").content.decode("utf-8-sig")
    assert ["Zhuhai", "0"] in [row[:2] for row in csv.reader(io.StringIO(counted))]
