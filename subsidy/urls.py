from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from forms.accounts import EmailAuthenticationForm, ResetPasswordForm
from subsidy.portal import letters as portal_letters
from subsidy.portal import tokens as portal_tokens
from subsidy.portal import two_factor
from subsidy.portal import views as portal_views
from subsidy.web import favicon

urlpatterns = [
    path("", portal_views.home, name="home"),
    path("notice/", portal_views.public_notice, name="public_notice"),
    path("favicon.ico", favicon, name="favicon"),
    # Short on purpose: printed under the QR code of every letter.
    path("v/<str:token>", portal_letters.letter_verify, name="letter_verify"),
    path("accounts/signup/", portal_views.signup, name="signup"),
    path("accounts/activate/<uidb64>/<token>/", portal_views.account_activate, name="account_activate"),
    path("accounts/login/", auth_views.LoginView.as_view(authentication_form=EmailAuthenticationForm), name="login"),
    path(
        "accounts/reset/<uidb64>/<token>/",
        auth_views.PasswordResetConfirmView.as_view(form_class=ResetPasswordForm),
        name="password_reset_confirm",
    ),
    path("accounts/two-factor/setup/", two_factor.setup, name="two_factor_setup"),
    path("accounts/two-factor/verify/", two_factor.verify, name="two_factor_verify"),
    path("accounts/tokens/", portal_tokens.api_tokens, name="api_tokens"),
    path("accounts/tokens/<int:pk>/revoke/", portal_tokens.api_token_revoke, name="api_token_revoke"),
    path("accounts/", include("django.contrib.auth.urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("portal/", include("subsidy.portal.urls")),
    path("staff/", include("workflows.urls")),
    path("api/", include("subsidy.api.urls")),
    path("admin/", admin.site.urls),
]
