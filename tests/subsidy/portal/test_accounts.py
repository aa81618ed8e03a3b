import re

import pytest
from django.contrib.auth import get_user_model
from django.core import mail
from django.urls import reverse

from subsidy.models import Role

pytestmark = pytest.mark.django_db


SIGN_UP = {"email": "New.User@Example.cn", "password1": "a-long-pass-phrase", "password2": "a-long-pass-phrase"}


def activation_path(message):
    return re.search(r"https?://[^/]+(/accounts/activate/\S+)", message.body).group(1)


def test_sign_up_emails_a_link_that_activates_the_account_and_signs_in(client, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("signup"), SIGN_UP)
    assert response.status_code == 200
    assert "new.user@example.cn" in response.content.decode()
    user = get_user_model().objects.get()
    assert (user.username, user.is_active) == ("new.user@example.cn", False)
    assert list(user.groups.values_list("name", flat=True)) == [Role.APPLICANT.value]
    assert client.get(reverse("portal:application_list")).status_code == 302  # not signed in yet

    link = activation_path(mail.outbox[0])
    assert client.get(link).status_code == 200  # opening the link (a mail scanner) changes nothing
    user.refresh_from_db()
    assert not user.is_active
    response = client.post(link)
    assert response.headers["Location"] == reverse("portal:applicant_create")
    user.refresh_from_db()
    assert user.is_active
    assert client.get(reverse("portal:application_list")).status_code == 200
    client.logout()
    assert client.post(link).status_code == 400  # used once


def test_sign_up_tells_nobody_whether_an_address_is_registered(client, django_capture_on_commit_callbacks):
    get_user_model().objects.create_user(username="new.user@example.cn", email="new.user@example.cn", password="x")
    with django_capture_on_commit_callbacks(execute=True):
        taken = client.post(reverse("signup"), SIGN_UP)
    with django_capture_on_commit_callbacks(execute=True):
        free = client.post(reverse("signup"), {**SIGN_UP, "email": "other@example.cn"})
    assert taken.status_code == free.status_code == 200
    assert taken.templates[0].name == free.templates[0].name == "registration/signup_sent.html"
    assert "already exists" not in taken.content.decode()
    # The address's owner is told someone tried; the existing account is unchanged.
    assert [m.to for m in mail.outbox] == [["new.user@example.cn"], ["other@example.cn"]]
    assert "already has one" in mail.outbox[0].body and "/accounts/activate/" not in mail.outbox[0].body
    assert get_user_model().objects.get(username="new.user@example.cn").check_password("x")


def test_a_staff_account_is_never_activated_by_signing_up_with_its_address(client, django_capture_on_commit_callbacks):
    from tests.factories import UserFactory

    staff = UserFactory(username="leaver@example.cn", email="leaver@example.cn", role=Role.APPROVER, is_active=False)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("signup"), {**SIGN_UP, "email": "leaver@example.cn"})
    assert "/accounts/activate/" not in mail.outbox[0].body
    staff.refresh_from_db()
    assert not staff.is_active


def test_agency_sign_up_gets_the_agent_role(client):
    client.post(
        reverse("signup"),
        {
            "email": "ip@agency.hk",
            "password1": "a-long-pass-phrase",
            "password2": "a-long-pass-phrase",
            "is_agent": "on",
        },
    )
    assert list(get_user_model().objects.get().groups.values_list("name", flat=True)) == [Role.AGENT.value]


@pytest.mark.parametrize(("password2", "field"), [("different-pass-phrase", "password2"), ("12345678", "password2")])
def test_sign_up_errors_are_at_the_field(client, password2, field):
    response = client.post(
        reverse("signup"), {"email": "x@example.cn", "password1": "12345678", "password2": password2}
    )
    assert field in response.context["form"].errors or "password1" in response.context["form"].errors
    assert not get_user_model().objects.exists()


def test_password_reset_by_email(client):
    user = get_user_model().objects.create_user(
        username="a@example.cn", email="a@example.cn", password="old-pass-phrase"
    )
    client.post(reverse("password_reset"), {"email": "a@example.cn"})
    assert len(mail.outbox) == 1
    link = re.search(r"https?://[^/]+(/accounts/reset/\S+)", mail.outbox[0].body).group(1)
    form_page = client.get(link, follow=True)
    assert form_page.context["validlink"]
    client.post(
        form_page.redirect_chain[-1][0], {"new_password1": "new-pass-phrase-1", "new_password2": "new-pass-phrase-1"}
    )
    user.refresh_from_db()
    assert user.check_password("new-pass-phrase-1")


def test_sign_out(client):
    user = get_user_model().objects.create_user(username="b@example.cn", password="x-pass-phrase")
    client.force_login(user)
    client.post(reverse("logout"))
    assert client.get(reverse("portal:application_list")).status_code == 302


def test_sign_in_with_email_in_any_case(client):
    get_user_model().objects.create_user(username="c@example.cn", email="c@example.cn", password="x-pass-phrase-9")
    response = client.post(reverse("login"), {"username": "C@Example.CN", "password": "x-pass-phrase-9"})
    assert response.status_code == 302
    assert client.get(reverse("portal:application_list")).status_code == 200
