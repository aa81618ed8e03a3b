"""Production settings (DJANGO_ENV=production), loaded in a fresh process as a server
would load them: Django's deployment checks pass without a single warning, a missing
secret stops everything, and passwords are hashed with Argon2."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PRODUCTION_ENV = {
    "DJANGO_ENV": "production",
    "DJANGO_SECRET_KEY": "kq3v!x9-production-like-secret-8fj2m0a7c5t1z6w4e7r9y2u5i8o1p3s6d9",
    "DJANGO_ALLOWED_HOSTS": "subsidy.gdhk.example",
    "DATABASE_URL": "sqlite:////tmp/sec-production-settings-never-opened.sqlite3",
}


def manage(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    clean = {key: value for key, value in os.environ.items() if not key.startswith(("DJANGO_", "SUBSIDY_"))}
    return subprocess.run(  # noqa: S603 (our own manage.py, fixed arguments)
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env={**clean, **env},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_deployment_checks_pass_without_a_warning():
    result = manage("check", "--deploy", "--fail-level", "WARNING", env=PRODUCTION_ENV)
    output = result.stdout + result.stderr
    assert result.returncode == 0, output
    assert "System check identified no issues (0 silenced)." in output
    assert "WARNING" not in output and "security.W" not in output


def test_production_refuses_to_start_without_a_secret_key():
    env = {key: value for key, value in PRODUCTION_ENV.items() if key != "DJANGO_SECRET_KEY"}
    result = manage("check", env=env)
    assert result.returncode != 0
    assert "DJANGO_SECRET_KEY" in result.stderr
    assert "ImproperlyConfigured" in result.stderr


def test_production_settings_as_loaded():
    script = (
        "from django.conf import settings as s; from django.contrib.auth.hashers import make_password; "
        "print(make_password('a-pass-phrase').split('$')[0]); "
        "print(s.SECURE_PROXY_SSL_HEADER, s.SECURE_SSL_REDIRECT, s.SESSION_COOKIE_SECURE, s.CSRF_COOKIE_SECURE); "
        "print(s.SECURE_HSTS_SECONDS, s.SECURE_HSTS_INCLUDE_SUBDOMAINS, s.SECURE_HSTS_PRELOAD); "
        "print(s.SUBSIDY_STAFF_REQUIRE_2FA, s.X_FRAME_OPTIONS, s.SECURE_REFERRER_POLICY, "
        "s.SECURE_CROSS_ORIGIN_OPENER_POLICY)"
    )
    result = manage("shell", "-c", script, env=PRODUCTION_ENV)
    assert result.returncode == 0, result.stderr
    lines = result.stdout.strip().splitlines()[-4:]
    assert lines == [
        "argon2",
        "('HTTP_X_FORWARDED_PROTO', 'https') True True True",
        "31536000 True True",
        "True DENY same-origin same-origin",
    ]
