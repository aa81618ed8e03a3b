"""Reports for the scheme's managers: every figure on the dashboard comes from one of
the queries below, written out in SQL so that anyone with read access to the database
can reproduce it (the dashboard shows each query under its table).

One query per table, whatever the number of applications. The SQL is PostgreSQL's;
the few expressions that differ on SQLite (the embedded database of `make run`) are
swapped in by `_sql`, and SQLite, which has no percentile_cont, gets the same
interpolated percentiles computed in Python from the durations.

Definitions:
- a claim is *submitted* once it has a submission time (every status but draft, and
  drafts withdrawn before submission);
- *requested* is the sum of requested amounts of submitted claims not withdrawn;
- *approved* is the sum of approved amounts of claims approved, in payment or paid;
- *overdue* means waiting on the office (submitted, under review, awaiting decision)
  for longer than the round's review target (days from submission).

A staff account limited to some schemes gets the same tables over those schemes' claims
and rounds only (the `{claims}` and `{rounds}` of the queries).
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db import connection
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from subsidy.models import ApplicationStatus, GuangdongCity, PatentRoute
from subsidy.models.choices import AWAITING_OFFICE_STATUSES, RESERVED_STATUSES, WITH_REVIEWER_STATUSES

TEXT, COUNT, MONEY, DAYS = "text", "count", "money", "days"

# The schemes whose claims a report counts; None: every scheme.
Schemes = frozenset[int] | None


@dataclass
class Column:
    label: str | Promise
    kind: str = TEXT


@dataclass
class Table:
    key: str
    title: str | Promise
    columns: list[Column]
    rows: list[list[Any]]
    sql: str
    chart_column: int | None = None
    note: str | Promise = ""
    totals: list[Any] | None = None
    params: list[Any] = field(default_factory=list)


# --------------------------------------------------------------------------
# The queries (PostgreSQL), with the expressions that differ on SQLite marked {name}
# --------------------------------------------------------------------------

SQL_BY_STATUS = """
SELECT a.status,
       COUNT(*) AS applications,
       COALESCE(SUM(a.requested_amount), 0) AS requested
FROM {claims} a
GROUP BY a.status
"""

SQL_BY_CITY = """
SELECT ap.city,
       COUNT(*) AS submitted,
       COALESCE(SUM(a.requested_amount) FILTER (WHERE a.status <> 'withdrawn'), 0) AS requested,
       COALESCE(SUM(a.approved_amount) FILTER (WHERE a.status IN ({reserved})), 0) AS approved
FROM {claims} a
JOIN subsidy_applicant ap ON ap.id = a.applicant_id
WHERE a.submitted_at IS NOT NULL
GROUP BY ap.city
"""

SQL_BY_ROUTE = """
SELECT COALESCE(p.route, '') AS route,
       COUNT(*) AS submitted,
       COALESCE(SUM(a.requested_amount) FILTER (WHERE a.status <> 'withdrawn'), 0) AS requested,
       COALESCE(SUM(a.approved_amount) FILTER (WHERE a.status IN ({reserved})), 0) AS approved
FROM {claims} a
LEFT JOIN subsidy_patent p ON p.id = a.patent_id
WHERE a.submitted_at IS NOT NULL
GROUP BY COALESCE(p.route, '')
"""

SQL_ROUNDS = """
SELECT r.name, r.budget,
       COALESCE(t.requested, 0), COALESCE(t.approved, 0), COALESCE(t.in_payment, 0), COALESCE(t.paid, 0)
FROM {rounds} r
LEFT JOIN (
    SELECT a.funding_round_id,
           SUM(a.requested_amount) FILTER (WHERE a.submitted_at IS NOT NULL AND a.status <> 'withdrawn') AS requested,
           SUM(a.approved_amount) FILTER (WHERE a.status IN ({reserved})) AS approved,
           SUM(a.approved_amount) FILTER (WHERE a.status = 'in_payment') AS in_payment,
           SUM(a.approved_amount) FILTER (WHERE a.status = 'paid') AS paid
    FROM {claims} a
    GROUP BY a.funding_round_id
) t ON t.funding_round_id = r.id
ORDER BY r.opens_on DESC, r.id
"""

# Days from submission to decision (approval or rejection), and from the decision to
# the day the bank paid, over every claim that got that far.
SQL_TIMES = """
SELECT COUNT(*) FILTER (WHERE a.decided_at IS NOT NULL),
       percentile_cont(ARRAY[0.5, 0.9]) WITHIN GROUP (ORDER BY {decision_days})
           FILTER (WHERE a.decided_at IS NOT NULL),
       COUNT(*) FILTER (WHERE a.paid_on IS NOT NULL AND a.decided_at IS NOT NULL),
       percentile_cont(ARRAY[0.5, 0.9]) WITHIN GROUP (ORDER BY {payment_days})
           FILTER (WHERE a.paid_on IS NOT NULL AND a.decided_at IS NOT NULL)
FROM {claims} a
WHERE a.submitted_at IS NOT NULL
"""
SQL_TIMES_SQLITE = """
SELECT {decision_days} AS decision_days,
       CASE WHEN a.paid_on IS NOT NULL THEN {payment_days} END AS payment_days
FROM {claims} a
WHERE a.submitted_at IS NOT NULL AND a.decided_at IS NOT NULL
"""

# Per reviewer: cases in their hands, cases they recommended that wait for a decision,
# and their overdue cases; claims nobody has taken yet are the row without a reviewer.
SQL_REVIEWERS = """
SELECT COALESCE(u.email, '') AS reviewer,
       COUNT(*) FILTER (WHERE a.status IN ({with_reviewer})) AS open_cases,
       COUNT(*) FILTER (WHERE a.status = 'awaiting_decision') AS awaiting_decision,
       COUNT(*) FILTER (WHERE a.status IN ({awaiting_office}) AND {overdue}) AS overdue
FROM {claims} a
JOIN subsidy_fundinground r ON r.id = a.funding_round_id
LEFT JOIN auth_user u ON u.id = a.reviewer_id
WHERE a.status IN ({open_cases})
GROUP BY COALESCE(u.email, '')
ORDER BY COALESCE(u.email, '') = '', COALESCE(u.email, '')
"""

SQL_OVERDUE = """
SELECT a.reference, ap.city, a.status, COALESCE(u.email, '') AS reviewer, a.submitted_at,
       r.review_sla_days, {waiting_days} AS days_waiting
FROM {claims} a
JOIN subsidy_fundinground r ON r.id = a.funding_round_id
JOIN subsidy_applicant ap ON ap.id = a.applicant_id
LEFT JOIN auth_user u ON u.id = a.reviewer_id
WHERE a.status IN ({awaiting_office}) AND {overdue}
ORDER BY a.submitted_at, a.id
LIMIT 100
"""

EXPRESSIONS = {
    "postgresql": {
        "decision_days": "EXTRACT(EPOCH FROM (a.decided_at - a.submitted_at)) / 86400.0",
        "payment_days": (
            "CAST(a.paid_on - CAST((a.decided_at AT TIME ZONE 'Asia/Shanghai') AS date) AS double precision)"
        ),
        "overdue": "a.submitted_at < %s - r.review_sla_days * INTERVAL '1 day'",
        "waiting_days": "FLOOR(EXTRACT(EPOCH FROM (%s - a.submitted_at)) / 86400.0)",
    },
    "sqlite": {
        "decision_days": "(julianday(a.decided_at) - julianday(a.submitted_at))",
        "payment_days": "(julianday(a.paid_on) - julianday(date(a.decided_at, '+8 hours')))",
        "overdue": "julianday(a.submitted_at) < julianday(%s) - r.review_sla_days",
        "waiting_days": "CAST(julianday(%s) - julianday(a.submitted_at) AS INTEGER)",
    },
}


# The status lists the queries name, written out from the model's own lists (one home).
STATUS_LISTS = {
    "reserved": RESERVED_STATUSES,
    "awaiting_office": AWAITING_OFFICE_STATUSES,
    "with_reviewer": WITH_REVIEWER_STATUSES,
    "open_cases": [*WITH_REVIEWER_STATUSES, ApplicationStatus.AWAITING_DECISION],
}


def _status_lists() -> dict[str, str]:
    return {name: ", ".join(f"'{status.value}'" for status in statuses) for name, statuses in STATUS_LISTS.items()}


def _sql(template: str, vendor: str | None = None, schemes: Schemes = None) -> str:
    expressions = EXPRESSIONS.get(vendor or connection.vendor, EXPRESSIONS["postgresql"])
    return template.format(**expressions, **_counted(schemes), **_status_lists())


def _counted(schemes: Schemes) -> dict[str, str]:
    """The claims and rounds a table counts: every one, or those of some schemes (a staff
    account limited to them: subsidy.permissions.schemes_served_by). The ids are integers
    from the database, written into the text."""
    if schemes is None:
        return {"claims": "subsidy_application", "rounds": "subsidy_fundinground"}
    ids = ", ".join(str(int(scheme)) for scheme in sorted(schemes)) or "NULL"
    # S608: integers only, no input.
    rounds = f"SELECT id FROM subsidy_fundinground WHERE scheme_id IN ({ids})"  # noqa: S608
    return {
        "claims": f"(SELECT * FROM subsidy_application WHERE funding_round_id IN ({rounds}))",  # noqa: S608
        "rounds": f"(SELECT * FROM subsidy_fundinground WHERE scheme_id IN ({ids}))",  # noqa: S608
    }


def documented_sql(template: str) -> str:
    """The PostgreSQL text shown on the dashboard (%s is the time the page was made)."""
    return _sql(template, "postgresql").strip()


def _fetch(sql: str, params: list[Any] | None = None) -> list[tuple[Any, ...]]:
    with connection.cursor() as cursor:
        cursor.execute(sql, params or [])
        return list(cursor.fetchall())


def _money(value: Any) -> Decimal:
    return Decimal(value or 0).quantize(Decimal("0.01"))


def percentile_cont(values: list[float], fraction: float) -> float | None:
    """PostgreSQL's percentile_cont: linear interpolation between the closest ranks."""
    if not values:
        return None
    ordered = sorted(values)
    position = fraction * (len(ordered) - 1)
    lower, upper = math.floor(position), math.ceil(position)
    return ordered[lower] + (ordered[upper] - ordered[lower]) * (position - lower)


def _days(value: Any) -> Decimal | None:
    return None if value is None else Decimal(str(float(value))).quantize(Decimal("0.1"))


# --------------------------------------------------------------------------
# Tables
# --------------------------------------------------------------------------


def by_status(schemes: Schemes = None) -> Table:
    found = {status: (n, requested) for status, n, requested in _fetch(_sql(SQL_BY_STATUS, schemes=schemes))}
    rows = [
        [status.label, found.get(status.value, (0, 0))[0], _money(found.get(status.value, (0, 0))[1])]
        for status in ApplicationStatus
    ]
    return Table(
        key="status",
        title=_("Applications by status"),
        columns=[Column(_("Status")), Column(_("Claims"), COUNT), Column(_("Requested (CNY)"), MONEY)],
        rows=rows,
        sql=documented_sql(SQL_BY_STATUS),
        chart_column=1,
        totals=[_("Total"), sum(r[1] for r in rows), sum((r[2] for r in rows), Decimal("0.00"))],
    )


def _by_group(
    key: str, title: Any, label: Any, template: str, groups: list[tuple[str, Any]], schemes: Schemes
) -> Table:
    rows_found = _fetch(_sql(template, schemes=schemes))
    found = {group: (n, requested, approved) for group, n, requested, approved in rows_found}
    rows = []
    for value, name in groups:
        n, requested, approved = found.get(value, (0, 0, 0))
        rows.append([name, n, _money(requested), _money(approved)])
    return Table(
        key=key,
        title=title,
        columns=[
            Column(label),
            Column(_("Submitted claims"), COUNT),
            Column(_("Requested (CNY)"), MONEY),
            Column(_("Approved (CNY)"), MONEY),
        ],
        rows=rows,
        sql=documented_sql(template),
        chart_column=1,
        totals=[
            _("Total"),
            sum(r[1] for r in rows),
            sum((r[2] for r in rows), Decimal("0.00")),
            sum((r[3] for r in rows), Decimal("0.00")),
        ],
    )


def by_city(schemes: Schemes = None) -> Table:
    cities = [(c.value, c.label) for c in GuangdongCity]
    return _by_group("city", _("Submitted claims by city"), _("City"), SQL_BY_CITY, cities, schemes)


def by_route(schemes: Schemes = None) -> Table:
    routes = [(r.value, r.label) for r in PatentRoute] + [("", _("No patent entered"))]
    return _by_group("route", _("Submitted claims by route"), _("Route"), SQL_BY_ROUTE, routes, schemes)


def rounds(schemes: Schemes = None) -> Table:
    rows = []
    for name, budget, requested, approved, in_payment, paid in _fetch(_sql(SQL_ROUNDS, schemes=schemes)):
        budget = _money(budget)
        rows.append(
            [
                name,
                budget,
                _money(requested),
                _money(approved),
                _money(in_payment),
                _money(paid),
                budget - _money(approved),
            ]
        )
    return Table(
        key="rounds",
        title=_("Amounts against budget per funding round"),
        columns=[
            Column(_("Funding round")),
            Column(_("Budget (CNY)"), MONEY),
            Column(_("Requested (CNY)"), MONEY),
            Column(_("Approved (CNY)"), MONEY),
            Column(_("In payment (CNY)"), MONEY),
            Column(_("Paid (CNY)"), MONEY),
            Column(_("Budget not yet approved (CNY)"), MONEY),
        ],
        rows=rows,
        sql=documented_sql(SQL_ROUNDS),
        chart_column=3,
        note=_("Approved includes what is in payment and what is paid."),
    )


def processing_times(schemes: Schemes = None) -> Table:
    if connection.vendor == "postgresql":
        n_decided, decision, n_paid, payment = _fetch(_sql(SQL_TIMES, schemes=schemes))[0]
        decision_median, decision_p90 = decision or (None, None)
        payment_median, payment_p90 = payment or (None, None)
    else:
        durations = _fetch(_sql(SQL_TIMES_SQLITE, schemes=schemes))
        decided = [float(d) for d, _p in durations if d is not None]
        paid = [float(p) for _d, p in durations if p is not None]
        n_decided, n_paid = len(decided), len(paid)
        decision_median, decision_p90 = percentile_cont(decided, 0.5), percentile_cont(decided, 0.9)
        payment_median, payment_p90 = percentile_cont(paid, 0.5), percentile_cont(paid, 0.9)
    return Table(
        key="times",
        title=_("Processing times (days)"),
        columns=[
            Column(_("Interval")),
            Column(_("Claims"), COUNT),
            Column(_("Median (days)"), DAYS),
            Column(_("90th percentile (days)"), DAYS),
        ],
        rows=[
            [_("Submission to decision"), n_decided, _days(decision_median), _days(decision_p90)],
            [_("Decision to payment"), n_paid, _days(payment_median), _days(payment_p90)],
        ],
        sql=documented_sql(SQL_TIMES),
        chart_column=2,
        note=_("Percentiles interpolate between the two nearest claims, as PostgreSQL's percentile_cont does."),
    )


def reviewer_workload(now: dt.datetime, schemes: Schemes = None) -> Table:
    rows = [
        [email or _("Not yet taken"), open_cases, awaiting, overdue]
        for email, open_cases, awaiting, overdue in _fetch(_sql(SQL_REVIEWERS, schemes=schemes), [now])
    ]
    return Table(
        key="reviewers",
        title=_("Reviewer workload"),
        columns=[
            Column(_("Reviewer")),
            Column(_("Open cases"), COUNT),
            Column(_("Awaiting decision"), COUNT),
            Column(_("Overdue"), COUNT),
        ],
        rows=rows,
        sql=documented_sql(SQL_REVIEWERS),
        chart_column=1,
        params=[now],
    )


def overdue_cases(now: dt.datetime, schemes: Schemes = None) -> Table:
    cities = dict(GuangdongCity.choices)
    statuses = dict(ApplicationStatus.choices)
    rows = [
        [reference, cities.get(city, city), statuses.get(status, status), reviewer or "", submitted, sla, int(days)]
        for reference, city, status, reviewer, submitted, sla, days in _fetch(
            _sql(SQL_OVERDUE, schemes=schemes), [now, now]
        )
    ]
    return Table(
        key="overdue",
        title=_("Overdue cases (the 100 waiting longest)"),
        columns=[
            Column(_("Reference")),
            Column(_("City")),
            Column(_("Status")),
            Column(_("Reviewer")),
            Column(_("Submitted")),
            Column(_("Review target (days)"), COUNT),
            Column(_("Days waiting"), COUNT),
        ],
        rows=rows,
        sql=documented_sql(SQL_OVERDUE),
        params=[now, now],
    )


REPORTS = ["status", "city", "route", "rounds", "times", "reviewers", "overdue"]


def report(key: str, now: dt.datetime, schemes: Schemes = None) -> Table:
    """One table, counting the claims of `schemes` (None: every scheme)."""
    builders = {
        "status": lambda: by_status(schemes),
        "city": lambda: by_city(schemes),
        "route": lambda: by_route(schemes),
        "rounds": lambda: rounds(schemes),
        "times": lambda: processing_times(schemes),
        "reviewers": lambda: reviewer_workload(now, schemes),
        "overdue": lambda: overdue_cases(now, schemes),
    }
    return builders[key]()


def dashboard(now: dt.datetime, schemes: Schemes = None) -> list[Table]:
    """Every table of the dashboard: one query each."""
    return [report(key, now, schemes) for key in REPORTS]
