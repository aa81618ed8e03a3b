from __future__ import annotations

from typing import Any

from django import forms
from django.contrib.auth import get_user_model, password_validation
from django.contrib.auth.forms import AuthenticationForm, SetPasswordForm, UsernameField
from django.utils.translation import gettext_lazy as _

from subsidy.models.tokens import API_TOKEN_MAX_DAYS


class SignUpForm(forms.Form):
    email = forms.EmailField(label=_("Email"), help_text=_("You sign in with this address."))
    password1 = forms.CharField(
        label=_("Password"), strip=False, widget=forms.PasswordInput(attrs={"autocomplete": "new-password"})
    )
    password2 = forms.CharField(
        label=_("Password again"), strip=False, widget=forms.PasswordInput(attrs={"autocomplete": "new-password"})
    )
    is_agent = forms.BooleanField(
        label=_("I am a patent agency filing claims on behalf of applicants."), required=False
    )

    def clean_email(self) -> str:
        # Whether the address has an account is never said here (subsidy.services.auth.user_sign_up).
        email: str = self.cleaned_data["email"].strip().lower()
        return email

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        p1, p2 = data.get("password1"), data.get("password2")
        if p1 and p2 and p1 != p2:
            self.add_error("password2", _("The two passwords differ."))
        elif p1:
            user = get_user_model()(username=data.get("email", ""), email=data.get("email", ""))
            try:
                password_validation.validate_password(p1, user)
            except forms.ValidationError as error:
                self.add_error("password1", error)
        return data


class EmailAuthenticationForm(AuthenticationForm):
    """Sign in with the email address the account was created with (stored lower-case)."""

    username = UsernameField(
        label=_("Email"), widget=forms.EmailInput(attrs={"autofocus": True, "autocomplete": "email"})
    )
    # Django's own wording names the model's "username" field; people type an email here.
    error_messages = {
        **AuthenticationForm.error_messages,
        "invalid_login": _("Unable to sign in with this email and password. The password is case-sensitive."),
    }

    def clean_username(self) -> str:
        return str(self.cleaned_data["username"]).strip().lower()


class ResetPasswordForm(SetPasswordForm):
    """The new password from a reset link also lifts the account's sign-in lockout,
    from every address: the lockout page sends people here, and proving the email
    address is what the lockout waits for."""

    def save(self, commit: bool = True) -> Any:
        from axes.utils import reset

        user = super().save(commit=commit)
        if commit:
            reset(username=user.get_username())
        return user


class OneTimeCodeForm(forms.Form):
    """The six-digit code an authenticator app shows (TOTP)."""

    code = forms.CharField(
        label=_("Code from your authenticator app"),
        max_length=6,
        min_length=6,
        help_text=_("Six digits; a new code appears every 30 seconds."),
        widget=forms.TextInput(
            attrs={"autocomplete": "one-time-code", "inputmode": "numeric", "pattern": "[0-9]{6}", "autofocus": True}
        ),
    )

    def __init__(self, *args: Any, device: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.device = device

    def clean_code(self) -> str:
        code = "".join(str(self.cleaned_data["code"]).split())
        if not code.isdigit():
            raise forms.ValidationError(_("Enter the six digits the app shows."))
        if self.device is not None and not self.device.verify_is_allowed()[0]:
            # django-otp doubles the wait after each wrong code.
            raise forms.ValidationError(_("Too many wrong codes. Wait a minute, then enter the code the app shows."))
        if self.device is None or not self.device.verify_token(code):
            raise forms.ValidationError(_("This code is not right or has expired. Enter the code the app shows now."))
        return code


class TwoFactorSetupForm(OneTimeCodeForm):
    """Enrolling an authenticator app: its first code and, where one is required
    (subsidy.services.auth.enrolment_code_required), the enrolment code a scheme
    administrator handed over (checked by subsidy.services.auth.enrolment_code_check)."""

    def __init__(self, *args: Any, enrolment_code_required: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if enrolment_code_required:
            code_field = self.fields.pop("code")
            code_field.widget.attrs.pop("autofocus", None)
            self.fields["enrolment_code"] = forms.CharField(
                label=_("Enrolment code"),
                max_length=20,
                help_text=_("The ten-character code a scheme administrator gave you, by phone or in person."),
                widget=forms.TextInput(
                    attrs={"autocomplete": "off", "autocapitalize": "characters", "autofocus": True}
                ),
            )
            self.fields["code"] = code_field  # after the enrolment code


class ApiTokenForm(forms.Form):
    """A new personal API token: the person's own label and how long it works
    (subsidy.services.tokens.api_token_create checks both again)."""

    name = forms.CharField(
        label=_("Name"),
        max_length=100,
        help_text=_("Your own label, so you know it again, e.g. the script or computer that uses it."),
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
    )
    days = forms.IntegerField(
        label=_("Works for (days)"),
        min_value=1,
        max_value=API_TOKEN_MAX_DAYS,
        help_text=_("From 1 to 365 days. After that it stops working and you make a new one."),
    )
