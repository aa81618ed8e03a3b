import re

import pytest
from django.contrib.auth import get_user_model
from django.core import mail
from django.urls import reverse

from subsidy.models import Role

pytestmark = pytest.mark.django_db


def test_sign_up_creates_an_applicant_account_and_signs_in(client):
    response = client.post(
        reverse("signup"),
        {"email": "New.User@Example.cn", "password1": "a-long-pass-phrase", "password2": "a-long-pass-phrase"},
    )
    assert response.headers["Location"] == reverse("portal:applicant_create")
    user = get_user_model().objects.get()
    assert user.username == "new.user@example.cn"
    assert list(user.groups.values_list("name", flat=True)) == [Role.APPLICANT.value]
    assert client.get(reverse("portal:application_list")).status_code == 200


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
