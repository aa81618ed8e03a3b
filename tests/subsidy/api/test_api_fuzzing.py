"""Schemathesis against the live OpenAPI schema, in-process through the WSGI app:
no request it can make, valid or not, gets a server error or a response that breaks
the schema. Bounded (a few examples per operation, fixed seed) to stay part of
`make test`; raise FUZZ_EXAMPLES locally for a deeper run."""

import itertools
import os

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import response_schema_conformance

from subsidy.models import Role
from subsidy.services import batches
from tests.factories import (
    ApplicantFactory,
    ApplicationFactory,
    UserFactory,
    payable_application,
    submitted_application,
)
from tests.factories import finance_staff as user_with_roles
from tests.subsidy.api.conftest import api_key

EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "4"))


@pytest.fixture
def fuzz_world(db):
    """An applicant (with an agency's role too) who owns a draft and a submitted claim,
    and a member of staff who holds every staff role, with a draft batch: one account
    never holds both sides (the database refuses it), so cases alternate between them
    and both the applicant's and the staff's code paths are reached. Returns the two
    users and real ids to put into paths."""
    applicant_user = user_with_roles(Role.APPLICANT, Role.AGENT)
    staff = user_with_roles(*[role for role in Role if role not in (Role.APPLICANT, Role.AGENT)])
    applicant = ApplicantFactory(owner=applicant_user)
    draft = ApplicationFactory(created_by=applicant_user, applicant=applicant)
    submitted_application(created_by=applicant_user, applicant=applicant)
    ApplicantFactory(owner=UserFactory())
    payable_application()
    batch = batches.batch_create(by=staff)
    ids = {
        "applications": draft.pk,
        "applicants": applicant.pk,
        "batches": batch.pk,
        "rounds": draft.funding_round_id,
        "documents": draft.documents.first().pk,
    }
    return (applicant_user, staff), ids


_counter = itertools.count()
_turns = itertools.count()


def aim_at_real_records(case, ids):
    """Every other case goes to records that exist (and sends If-Match), so that bodies
    get past 404 and 428 into the serializers and the services; the rest keep the
    generated ids and headers."""
    if next(_counter) % 2:
        return {}
    for name in list(case.path_parameters or {}):
        if name == "application_pk":
            case.path_parameters[name] = ids["applications"]
        elif name == "id":
            resource = case.operation.path.split("/")[3]
            if "{application_pk}" in case.operation.path:
                resource = "documents"
            if resource in ids:
                case.path_parameters[name] = ids[resource]
    return {"If-Match": "*"}


@pytest.fixture(autouse=True)
def _keep_the_test_connection():
    """Requests go straight to the WSGI app in this thread, inside the test's
    transaction; as Django's test client does, keep the request signals from closing
    that connection."""
    from django.core.signals import request_finished, request_started
    from django.db import close_old_connections

    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        yield
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)


def live_schema():
    """The schema as the running site serves it at /api/schema/ (no database needed)."""
    from subsidy.wsgi import application

    return schemathesis.openapi.from_wsgi("/api/schema/?format=json", application)


schema = live_schema()


@pytest.mark.filterwarnings("ignore")
@schema.parametrize()
@settings(
    max_examples=EXAMPLES,
    deadline=None,
    derandomize=True,
    suppress_health_check=list(HealthCheck),
)
def test_the_api_keeps_to_its_schema(case, fuzz_world):
    users, ids = fuzz_world
    extra = aim_at_real_records(case, ids)
    user = users[next(_turns) // 2 % 2]  # aimed and not, each as either user
    key = api_key(user)  # a new one each time: a generated DELETE may revoke one
    case.call_and_validate(
        headers={"Authorization": f"Token {key}", "Accept-Language": "en", **extra},
        checks=[not_a_server_error, response_schema_conformance],
    )
