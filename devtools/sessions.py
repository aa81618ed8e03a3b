"""Signed-in sessions made on the server, for benchmarks and load tests that drive the
site over HTTP without typing passwords and codes: the cookie value of a session in
which `user` signed in (and, for staff, gave their second factor), exactly as the sign-in
and two-step pages would have left it. Never used by the site itself."""

from __future__ import annotations

import time
from importlib import import_module
from typing import Any

from django.conf import settings
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.plugins.otp_totp.models import TOTPDevice

from subsidy.security import LAST_SEEN, SIGNED_IN_AT

MODEL_BACKEND = "django.contrib.auth.backends.ModelBackend"


def signed_in_session(user: Any, *, verified: bool = True) -> str:
    """A new session for `user`; with `verified`, also as if they had given a code from
    their authenticator app (a confirmed TOTP device is made if they have none).
    Returns the session key: send it as the cookie named settings.SESSION_COOKIE_NAME."""
    store = import_module(settings.SESSION_ENGINE).SessionStore()
    store[SESSION_KEY] = str(user.pk)
    store[BACKEND_SESSION_KEY] = MODEL_BACKEND
    store[HASH_SESSION_KEY] = user.get_session_auth_hash()
    now = int(time.time())
    store[SIGNED_IN_AT] = now
    store[LAST_SEEN] = now
    if verified:
        device = TOTPDevice.objects.filter(user=user, confirmed=True).order_by("pk").first()
        if device is None:
            device = TOTPDevice.objects.create(user=user, name="authenticator", confirmed=True)
        # What django_otp.login() stores: "otp_totp.totpdevice/<device id>".
        store[DEVICE_ID_SESSION_KEY] = device.persistent_id
    store.create()
    return str(store.session_key)
