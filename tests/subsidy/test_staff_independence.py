"""Nobody decides or pays their own claim: staff accounts never act for an applicant, and
nobody reviews, decides, verifies, releases or reconciles anything for an applicant they
can act for: in the services, the transition conditions, task assignment and the database
(PostgreSQL triggers, subsidy migration 0016). The attack of the security review first:
a reviewer (or approver) files a claim of their own."""

from contextlib import contextmanager

import pytest
from django.contrib.auth.models import Group
from django.core.exceptions import ValidationError
from django.db import DatabaseError, connection, transaction
from django_fsm import has_transition_perm

from subsidy.exceptions import NotPermitted
from subsidy.models import AccessRole, Applicant, ApplicantAccess, Application, Role
from subsidy.models.batches import may_release
from subsidy.services import batches, reviews
from subsidy.services.applicants import applicant_create
from tests.factories import (
    ApplicantFactory,
    UserFactory,
    cleared,
    finance_staff,
    in_review,
    payable_application,
    submitted_application,
)
from workflows.flows import may_take_decision, may_take_review

pytestmark = pytest.mark.django_db

STAFF = [Role.REVIEWER, Role.APPROVER, Role.FINANCE_OFFICER, Role.FINANCE_APPROVER, Role.SCHEME_ADMIN, Role.AUDITOR]
PROFILE = {
    "kind": "organisation",
    "name": "深圳市自家科技有限公司",
    "uscc": "91440300MA5FUWL93N",
    "city": "shenzhen",
    "address": "深圳市南山区 1 号",
    "contact_person": "王五",
    "phone": "13800138000",
    "email": "own@example.cn",
}


@contextmanager
def triggers_off():
    """Only to show the layers above the database hold on their own: the staff-access
    triggers are switched off inside the test's transaction (rolled back after it)."""
    with connection.cursor() as cursor:
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")  # ALTER TABLE waits for no deferred check
        cursor.execute("ALTER TABLE subsidy_applicantaccess DISABLE TRIGGER subsidy_access_not_staff")
        cursor.execute("ALTER TABLE auth_user_groups DISABLE TRIGGER subsidy_staff_role_not_applicant")
    try:
        yield
    finally:
        with connection.cursor() as cursor:
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
            cursor.execute("ALTER TABLE subsidy_applicantaccess ENABLE TRIGGER subsidy_access_not_staff")
            cursor.execute("ALTER TABLE auth_user_groups ENABLE TRIGGER subsidy_staff_role_not_applicant")


def acting_for(user, applicant):
    with triggers_off():
        ApplicantAccess.objects.create(user=user, applicant=applicant, role=AccessRole.OWNER)
    return user


@pytest.mark.parametrize("role", STAFF)
def test_a_staff_account_cannot_create_an_applicant_profile(role):
    with pytest.raises(NotPermitted):
        applicant_create(by=UserFactory(role=role), fields=PROFILE)
    assert not Applicant.objects.filter(uscc=PROFILE["uscc"]).exists()


def test_an_admin_flag_or_superuser_cannot_act_for_applicants_either():
    for user in (UserFactory(is_staff=True), UserFactory(is_superuser=True)):
        with pytest.raises(NotPermitted):
            applicant_create(by=user, fields=PROFILE)


def test_the_database_refuses_applicant_access_for_staff():
    reviewer = UserFactory(role=Role.REVIEWER)
    with pytest.raises(DatabaseError, match="cannot act for an applicant"), transaction.atomic():
        ApplicantAccess.objects.create(user=reviewer, applicant=ApplicantFactory(), role=AccessRole.OWNER)


def test_the_database_refuses_a_staff_role_or_flag_for_an_applicant_account():
    owner = UserFactory()
    ApplicantFactory(owner=owner)
    with pytest.raises(DatabaseError, match="cannot hold a staff role"), transaction.atomic():
        owner.groups.add(Group.objects.get_or_create(name=Role.APPROVER.value)[0])
    owner.is_superuser = True
    with pytest.raises(DatabaseError, match="cannot be staff"), transaction.atomic():
        owner.save()


def test_access_once_given_is_kept_so_a_former_applicant_never_becomes_staff():
    owner = UserFactory()
    ApplicantFactory(owner=owner)
    with pytest.raises(DatabaseError, match="kept for good"), transaction.atomic():
        ApplicantAccess.objects.filter(user=owner).delete()


def test_a_reviewer_acting_for_the_applicant_may_neither_take_nor_review_the_case():
    application = submitted_application()
    reviewer = acting_for(UserFactory(role=Role.REVIEWER), application.applicant)
    cleared(application, reviewer)
    assert not may_take_review(reviewer, application)
    assert not has_transition_perm(application.start_review, reviewer)
    with pytest.raises(NotPermitted):
        reviews.application_start_review(application=application, by=reviewer)


def test_an_approver_acting_for_the_applicant_may_neither_take_nor_decide_it():
    application, _reviewer = in_review()
    approver = acting_for(UserFactory(role=Role.APPROVER), application.applicant)
    assert not may_take_decision(approver, application)
    application.refresh_from_db()
    assert not has_transition_perm(application.approve, cleared(application, approver))


def test_the_database_refuses_a_reviewer_who_acts_for_the_applicant():
    application = submitted_application()
    reviewer = acting_for(UserFactory(role=Role.REVIEWER), application.applicant)
    with pytest.raises(DatabaseError, match="acts for its applicant"), transaction.atomic():
        Application.objects.filter(pk=application.pk).update(reviewer=reviewer)


def test_nobody_releases_a_batch_that_pays_an_applicant_they_act_for():
    officer = finance_staff(Role.FINANCE_OFFICER)
    claim = payable_application()
    batch = batches.batch_create(by=officer)
    batches.batch_submit(batch=batch, by=officer)
    releaser = acting_for(finance_staff(Role.FINANCE_APPROVER), claim.applicant)
    batch.refresh_from_db()
    assert not may_release(batch, releaser)
    with pytest.raises(NotPermitted):
        batches.batch_release(batch=batch, by=releaser)


def test_an_auditor_writes_no_conflict_declaration():
    application = submitted_application()
    with pytest.raises(NotPermitted):
        reviews.conflict_declare(application=application, by=UserFactory(role=Role.AUDITOR), has_conflict=False)


# --------------------------------------------------------------------------
# Identity squatting and names that reach the bank
# --------------------------------------------------------------------------


def test_a_registered_number_gets_a_clear_message_that_names_nobody():
    first = ApplicantFactory()
    with pytest.raises(ValidationError) as refused:
        applicant_create(by=UserFactory(), fields={**PROFILE, "uscc": first.uscc})
    errors = refused.value.message_dict
    assert list(errors) == ["uscc"]
    assert "contact the scheme office" in errors["uscc"][0]
    assert first.name not in str(errors) and "applicant_uscc_unique" not in str(errors)


@pytest.mark.parametrize(
    ("name", "code"),
    [
        ("深圳市某某科技有限公司\x00", "name_characters"),
        ("ACME\u202eLtd", "name_characters"),
        ("Payee\tName", None),  # a tab is whitespace: collapsed to one space
        ("A" * 141, "name_length"),
        ("😀 Company", "name_characters"),
    ],
)
def test_names_that_reach_the_bank_are_printable_and_short(name, code):
    fields = {**PROFILE, "name": name, "name_en": "", "bank_account_name": "", "bank_name": ""}
    if code is None:
        applicant = applicant_create(by=UserFactory(), fields=fields)
        assert applicant.name == "Payee Name"
        return
    with pytest.raises(ValidationError) as refused:
        applicant_create(by=UserFactory(), fields=fields)
    assert [e.code for e in refused.value.error_dict["name"]] == [code]
