import pytest
from django.core.exceptions import ValidationError

from subsidy.exceptions import NotPermitted
from subsidy.models import AccessRole, Applicant, AuditEntry, Role
from subsidy.services.applicants import applicant_create, applicant_update
from tests.factories import ApplicantFactory, UserFactory
from tests.identifiers import valid_resident_id, valid_uscc

pytestmark = pytest.mark.django_db

ORGANISATION = {
    "kind": "organisation",
    "name": "东莞松山湖智能装备有限公司",
    "uscc": valid_uscc("441900", "MA51ABCD1").lower(),
    "city": "dongguan",
    "address": "东莞市松山湖大道 1 号",
    "contact_person": "林",
    "phone": "+86 769 22881234",
    "email": "ip@example.cn",
}


def test_create_normalises_identifiers_and_grants_owner_access():
    user = UserFactory()
    applicant = applicant_create(by=user, fields=ORGANISATION)
    assert applicant.uscc == ORGANISATION["uscc"].upper()
    assert applicant.phone == "0769-22881234"
    assert applicant.access.get().role == AccessRole.OWNER
    assert AuditEntry.objects.for_object(applicant).get().transition == "applicant_create"


def test_agency_account_gets_agent_access():
    agent = UserFactory(role=Role.AGENT)
    assert applicant_create(by=agent, fields=ORGANISATION).access.get().role == AccessRole.AGENT


def test_individual_needs_an_id_and_never_keeps_a_uscc():
    user = UserFactory()
    fields = {**ORGANISATION, "kind": "individual", "name": "陈燊", "id_kind": "resident_id"}
    with pytest.raises(ValidationError) as caught:
        applicant_create(by=user, fields=fields)
    assert "id_number" in caught.value.error_dict
    fields["id_number"] = valid_resident_id("440106", "19900101", "001")
    applicant = applicant_create(by=user, fields=fields)
    assert applicant.uscc == ""


def test_partial_bank_details_are_refused():
    with pytest.raises(ValidationError) as caught:
        applicant_create(by=UserFactory(), fields={**ORGANISATION, "bank_name": "中国银行"})
    assert "bank_account_name" in caught.value.error_dict
    assert not Applicant.objects.exists()


def test_bank_changes_are_audited_without_their_values():
    user = UserFactory()
    applicant = ApplicantFactory(owner=user)
    applicant_update(applicant=applicant, by=user, fields={"bank_account_number": "6222020200112233445"}, ip="10.1.1.1")
    entry = AuditEntry.objects.for_object(applicant).get()
    assert entry.changes == {"bank_account_number": "changed"}
    assert "6222020200112233445" not in str(entry.changes)


def test_only_authorised_accounts_may_update():
    applicant = ApplicantFactory(owner=UserFactory())
    with pytest.raises(NotPermitted):
        applicant_update(applicant=applicant, by=UserFactory(), fields={"address": "x"})
