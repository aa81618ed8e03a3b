from __future__ import annotations

import datetime as dt
import secrets
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.contrib.auth.hashers import check_password, make_password
from django.contrib.auth.models import Group
from django.contrib.auth.tokens import PasswordResetTokenGenerator
from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_decode, urlsafe_base64_encode
from django.utils.translation import gettext as _

from subsidy.exceptions import NotPermitted
from subsidy.models import EnrolmentCode, Role, TokenRevocation
from subsidy.people import Actor
from subsidy.permissions import user_administers_scheme

# Read out over the phone: no 0/O or 1/I to mix up.
ENROLMENT_CODE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"


@transaction.atomic
def roles_ensure() -> None:
    """Create the Django groups for every role (idempotent)."""
    for role in Role:
        Group.objects.get_or_create(name=role.value)


@transaction.atomic
def user_register(*, username: str, email: str, password: str, role: Role = Role.APPLICANT) -> Any:
    from django.contrib.auth import get_user_model

    user = get_user_model().objects.create_user(username=username, email=email, password=password)
    group, _ = Group.objects.get_or_create(name=role.value)
    user.groups.add(group)
    return user


class ActivationTokenGenerator(PasswordResetTokenGenerator):
    """A link that activates a new account once: it is signed for this purpose only (not a
    password-reset link), and stops working once the account is active or signed in."""

    key_salt = "subsidy.services.auth.ActivationTokenGenerator"

    def _make_hash_value(self, user: Any, timestamp: int) -> str:
        return f"{super()._make_hash_value(user, timestamp)}{user.is_active}"


activation_tokens = ActivationTokenGenerator()


def _never_activated_applicant(user: Any) -> bool:
    """An account made by signing up whose owner never followed the link (never an
    account staff made or deactivated: those are not for the email's owner to revive)."""
    return (
        not user.is_active
        and user.last_login is None
        and not (user.is_staff or user.is_superuser)
        and set(user.groups.values_list("name", flat=True)) <= {Role.APPLICANT.value, Role.AGENT.value}
    )


@transaction.atomic
def user_sign_up(*, email: str, password: str, role: Role, site: str, language: str) -> None:
    """Sign-up answers the same whether or not the address has an account, so that it
    tells nobody who is registered: a new address gets an inactive account and a link
    to activate it; a registered one gets an email saying someone tried to sign up with
    it (or, never activated, the link again). The password is hashed either way, so the
    answer takes as long. `site` is the site's address for the link (scheme and host)."""
    from django.contrib.auth import get_user_model

    from subsidy.audit import audit_record

    user = get_user_model().objects.filter(username=email).first()
    if user is None:
        user = get_user_model().objects.create_user(username=email, email=email, password=password, is_active=False)
        user.groups.add(Group.objects.get_or_create(name=role.value)[0])
        audit_record(subject=user, actor=None, action="account_signed_up", changes={"role": role.value})
        template = "account_activate"
    else:
        make_password(password)
        template = "account_activate" if _never_activated_applicant(user) else "account_exists"
    context = {"email": email, "site": site.rstrip("/")}
    if template == "account_activate":
        uid = urlsafe_base64_encode(force_bytes(user.pk))
        context["link"] = context["site"] + reverse("account_activate", args=[uid, activation_tokens.make_token(user)])
    transaction.on_commit(lambda: _send_account_email(email, template, context, language))


def _send_account_email(email: str, template: str, context: dict[str, Any], language: str) -> None:
    from django.core.mail import send_mail
    from django.template.loader import render_to_string
    from django.utils import translation

    with translation.override(language):
        subject = render_to_string(f"emails/{template}_subject.txt", context).strip()
        body = render_to_string(f"emails/{template}.txt", context)
    send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, [email])


@transaction.atomic
def user_activate(*, uidb64: str, token: str, ip: str | None = None) -> Any:
    """The account of a valid activation link, now active; None for a link that is wrong,
    expired (settings.PASSWORD_RESET_TIMEOUT) or already used."""
    from django.contrib.auth import get_user_model

    from subsidy.audit import audit_record

    try:
        pk = urlsafe_base64_decode(uidb64).decode()
        user = get_user_model().objects.select_for_update().get(pk=pk)
    except (ValueError, TypeError, OverflowError, get_user_model().DoesNotExist):
        return None
    if not _never_activated_applicant(user) or not activation_tokens.check_token(user, token):
        return None
    user.is_active = True
    user.save(update_fields=["is_active"])
    audit_record(subject=user, actor=user, action="account_activated", ip=ip)
    return user


@transaction.atomic
def otp_device_confirm(*, device: Any, by: Actor, ip: str | None) -> Any:
    """A staff member's authenticator app is enrolled: the device is confirmed, any other
    half-made device of theirs removed, and the enrolment audited (the secret never is)."""
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from subsidy.audit import audit_record

    device.confirmed = True
    device.save(update_fields=["confirmed"])
    TOTPDevice.objects.filter(user=device.user, confirmed=False).exclude(pk=device.pk).delete()
    EnrolmentCode.objects.filter(user=device.user).delete()  # used: enrolment_code_check let it through
    audit_record(
        subject=device, actor=by, action="otp_device_confirm", from_state="unconfirmed", to_state="confirmed", ip=ip
    )
    return device


@dataclass(frozen=True)
class TwoFactorReset:
    devices_removed: int  # enrolled apps (not half-made enrolments)
    # Shown once to the administrator, who hands it over by phone or in person; stored
    # only as a hash.
    enrolment_code: str
    expires_at: dt.datetime


@transaction.atomic
def otp_devices_reset(*, user: Any, by: Actor | None, reason: str, ip: str | None) -> TwoFactorReset:
    """A staff member has lost their authenticator app, or has never had one here: a
    scheme administrator removes their devices (if any) and signs them out everywhere (a
    stolen phone may come with an open session). At their next sign-in, after the
    password, they enrol an app with the one-time enrolment code returned here
    (EnrolmentCode), so the password alone does not let anyone else enrol one. Another
    administrator's act, never one's own, and audited with the reason (never the code).
    `by` None is the operator at the server's command line (`manage.py enrolment_code`),
    who needs no role: how the first administrator gets a code."""
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from subsidy.audit import audit_record
    from subsidy.services.tokens import api_tokens_revoke_all

    if by is not None and not user_administers_scheme(by):
        raise NotPermitted(_("Only scheme administrators may reset someone's two-factor sign-in."))
    if by is not None and user.pk == by.pk:
        raise NotPermitted(_("Ask another scheme administrator to reset your own two-factor sign-in."))
    if not reason.strip():
        raise ValidationError({"reason": _("Give a reason: it is kept in the audit trail.")})
    devices = TOTPDevice.objects.filter(user=user)
    removed = devices.filter(confirmed=True).count()  # apps that worked; half-made ones go too
    devices.delete()
    sessions_end(user=user)
    # A token made while the lost phone worked must not outlive it either.
    api_tokens_revoke_all(user=user, reason=TokenRevocation.TWO_FACTOR_RESET, by=by, ip=ip)
    code = "".join(secrets.choice(ENROLMENT_CODE_ALPHABET) for _ in range(10))
    now = timezone.now()
    expires_at = now + dt.timedelta(hours=settings.SUBSIDY_ENROLMENT_CODE_HOURS)
    EnrolmentCode.objects.update_or_create(
        user=user,
        defaults={
            "code_hash": make_password(code),
            "issued_by": by,
            "issued_at": now,
            "expires_at": expires_at,
            "failed_attempts": 0,
        },
    )
    audit_record(
        subject=user,
        actor=by,
        action="otp_devices_reset",
        from_state="enrolled" if removed else "not_enrolled",
        to_state="not_enrolled",
        comment=reason.strip(),
        ip=ip,
        changes={"enrolment_code_expires_at": expires_at.isoformat()},
    )
    return TwoFactorReset(removed, f"{code[:5]}-{code[5:]}", expires_at)


def enrolment_code_required(user: Any) -> bool:
    """Enrolling an app takes an enrolment code: always where two-step sign-in is
    required (production), so that nobody who learns a new colleague's first password
    enrols their own phone first; elsewhere, after a reset."""
    return settings.SUBSIDY_STAFF_REQUIRE_2FA or EnrolmentCode.objects.filter(user=user).exists()


def enrolment_code_check(*, user: Any, code: str) -> None:
    """Let `user` enrol an app if `code` is the enrolment code a scheme administrator
    issued them (any case, spaces and dashes ignored), or if none is needed
    (enrolment_code_required); otherwise raise a ValidationError on the
    `enrolment_code` field. A wrong try is counted even so: it is committed before the
    refusal. otp_device_confirm removes the code once the app is enrolled."""
    typed = "".join(ch for ch in code.upper() if ch.isalnum())
    with transaction.atomic():
        pending = EnrolmentCode.objects.select_for_update().filter(user=user).first()
        if pending is None:
            if settings.SUBSIDY_STAFF_REQUIRE_2FA:
                raise ValidationError(
                    {
                        "enrolment_code": _(
                            "No enrolment code has been issued to you yet. Ask a scheme administrator for "
                            "one: they issue it on the staff accounts page and give it to you themselves."
                        )
                    }
                )
            return  # two-step sign-in optional here and no reset pending: no code needed
        spent = (
            pending.expires_at <= timezone.now() or pending.failed_attempts >= settings.SUBSIDY_ENROLMENT_CODE_ATTEMPTS
        )
        right = not spent and check_password(typed, pending.code_hash)
        if not spent and not right:
            pending.failed_attempts += 1
            pending.save(update_fields=["failed_attempts"])
    if spent:
        raise ValidationError(
            {
                "enrolment_code": _(
                    "This enrolment code has expired or was entered wrongly too often. Ask a scheme "
                    "administrator to reset your two-factor sign-in again for a new code."
                )
            }
        )
    if not right:
        raise ValidationError(
            {"enrolment_code": _("This is not the enrolment code you were given. Check it and try again.")}
        )


def sessions_end(*, user: Any) -> int:
    """Sign `user` out of every session (database-backed sessions: the site's kind).
    Returns how many ended. Reads each live session: there are few, and this is rare."""
    from importlib import import_module

    from django.conf import settings
    from django.contrib.auth import SESSION_KEY
    from django.utils import timezone

    store_class = import_module(settings.SESSION_ENGINE).SessionStore
    model = store_class.get_model_class()
    theirs = [
        session.session_key
        for session in model.objects.filter(expire_date__gt=timezone.now()).iterator()
        if session.get_decoded().get(SESSION_KEY) == str(user.pk)
    ]
    for key in theirs:
        store_class(session_key=key).delete()
    return len(theirs)
