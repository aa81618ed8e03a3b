"""The scheme as a dimension (DESIGN.md §10): the staff claim list, the queue and the API
list show and filter by it, the public notice and the budget name it, and scheme
administrators set which schemes a staff account works on, audited."""

from __future__ import annotations

import pytest
from django.urls import reverse

from subsidy.models import AuditEntry, Role, StaffScope
from subsidy.models.schemes import hk_standard_patent_scheme
from tests.factories import (
    ApplicantFactory,
    FundingRoundFactory,
    UserFactory,
    finance_staff,
    staff_member,
    submitted_application,
    top_up_scheme,
)
from tests.subsidy.api.conftest import api_client

pytestmark = pytest.mark.django_db


@pytest.fixture
def two_schemes():
    """A claim of the province's scheme and one of a city's top-up."""
    province = submitted_application()
    city = submitted_application(funding_round=FundingRoundFactory(scheme=top_up_scheme()))
    return province, city


def test_the_staff_list_shows_and_filters_by_scheme(client, two_schemes):
    province, city = two_schemes
    client.force_login(staff_member(Role.REVIEWER))
    url = reverse("staff:application_list")
    page = client.get(url).content.decode()
    assert top_up_scheme().name_en in page or top_up_scheme().name in page
    assert f'<option value="{top_up_scheme().pk}">' in page  # the filter offers each scheme
    listed = client.get(url, {"scheme": top_up_scheme().pk}).context["page"]
    assert [a.pk for a in listed] == [city.pk]
    listed = client.get(url, {"scheme": hk_standard_patent_scheme().pk}).context["page"]
    assert [a.pk for a in listed] == [province.pk]


@pytest.mark.parametrize("url_name", ["staff:queue", "staff:inbox"])
def test_the_task_lists_filter_by_scheme(client, two_schemes, url_name):
    province, city = two_schemes
    reviewer = staff_member(Role.REVIEWER)
    if url_name == "staff:inbox":
        from workflows.selectors import open_task
        from workflows.services import task_locked, task_take

        for claim in (province, city):
            with task_locked(open_task(claim).pk) as task:
                task_take(task=task, by=reviewer)
    client.force_login(reviewer)
    response = client.get(reverse(url_name), {"scheme": top_up_scheme().pk})
    assert [row.application_pk for row in response.context["rows"]] == [city.pk]
    assert response.context["rows"][0].scheme_name in response.content.decode()


def test_the_filter_offers_only_the_schemes_one_works_on(client, two_schemes):
    reviewer = staff_member(Role.REVIEWER)
    StaffScope.objects.create(user=reviewer, scheme=top_up_scheme())
    client.force_login(reviewer)
    form = client.get(reverse("staff:application_list")).context["form"]
    assert [value for value, _label in form.fields["scheme"].choices if value] == [top_up_scheme().pk]


def test_the_api_lists_the_scheme_and_filters_by_its_code(two_schemes):
    province, city = two_schemes
    client = api_client(staff_member(Role.REVIEWER))
    everything = client.get("/api/v1/applications/").json()["results"]
    assert {(claim["id"], claim["scheme"]) for claim in everything} == {
        (province.pk, hk_standard_patent_scheme().code),
        (city.pk, top_up_scheme().code),
    }
    filtered = client.get("/api/v1/applications/", {"scheme": top_up_scheme().code}).json()["results"]
    assert [claim["id"] for claim in filtered] == [city.pk]
    assert client.get(f"/api/v1/applications/{city.pk}/").json()["scheme"] == top_up_scheme().code
    assert client.get("/api/v1/applications/", {"scheme": "no-such-scheme"}).json()["results"] == []


def test_the_public_notice_and_the_budget_name_the_scheme(client):
    from subsidy.services import reviews
    from tests.factories import awaiting_decision, cleared_approver

    application, _ = awaiting_decision(funding_round=FundingRoundFactory(scheme=top_up_scheme()))
    reviews.application_approve(application=application, by=cleared_approver(application))
    scheme = top_up_scheme()
    names = (scheme.name, scheme.name_en)
    assert any(name in client.get(reverse("public_notice")).content.decode() for name in names)
    client.force_login(finance_staff(Role.FINANCE_OFFICER))
    assert any(name in client.get(reverse("staff:budget")).content.decode() for name in names)


def test_schemes_set_in_the_admin_are_audited_before_and_after(admin_client):
    from tests.subsidy.test_admin import form_data

    reviewer = staff_member(Role.REVIEWER)
    url = reverse("admin:auth_user_change", args=[reviewer.pk])
    data = form_data(admin_client, url) | {"schemes": [top_up_scheme().pk]}
    response = admin_client.post(url, data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    assert list(StaffScope.objects.filter(user=reviewer).values_list("scheme", flat=True)) == [top_up_scheme().pk]
    entry = AuditEntry.objects.for_object(reviewer).get()
    assert entry.changes == {"schemes": [[], [top_up_scheme().code]]}
    # Unticked again: every scheme.
    data = form_data(admin_client, url)
    data.pop("schemes", None)
    assert admin_client.post(url, data).status_code == 302
    assert not StaffScope.objects.filter(user=reviewer).exists()
    assert AuditEntry.objects.for_object(reviewer).latest("id").changes == {"schemes": [[top_up_scheme().code], []]}


def test_an_applicant_account_is_not_limited_by_any_scheme():
    """Scopes are staff's: an applicant sees their own claims, whatever the scheme."""
    owner = UserFactory()
    applicant = ApplicantFactory(owner=owner)
    top_up_round = FundingRoundFactory(scheme=top_up_scheme())
    claim = submitted_application(created_by=owner, applicant=applicant, funding_round=top_up_round)
    listed = api_client(owner).get("/api/v1/applications/").json()["results"]
    assert [c["id"] for c in listed] == [claim.pk]
