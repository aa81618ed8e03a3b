"""The production profile on one machine, on loopback: the same processes the README's
"Running in production" describes (gunicorn with deploy/gunicorn.conf.py, task workers,
the scheduler) with DJANGO_ENV=production, a generated secret, a PostgreSQL given by
DATABASE_URL and static files collected for whitenoise. Used by `make prod-check`
(devtools/prod_check.py), its test, and benchmarks/load.py.

Every process runs in a session of its own and is stopped with its children when the
block ends, however it ends; each also dies with the process that started it."""

from __future__ import annotations

import ctypes
import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import quote

ROOT = Path(__file__).resolve().parent.parent
PYTHON = sys.executable
# The TLS proxy in front of gunicorn says the request came over HTTPS; without it the
# production settings redirect to https://.
PROXY_HEADERS = {"X-Forwarded-Proto": "https"}
HOST = "127.0.0.1"
_PR_SET_PDEATHSIG = 1


class ProfileFailed(RuntimeError):
    pass


def database_url(server: dict[str, str], name: str = "postgres") -> str:
    """A DATABASE_URL for Django connection settings (HOST may be a socket directory)."""
    host = server["HOST"]
    if host.startswith("/"):  # django-environ reads a socket directory from the path
        return f"postgres://{server['USER']}@/{quote(host, safe='')}/{name}"
    return f"postgres://{server['USER']}@{host}:{server.get('PORT') or 5432}/{name}"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind((HOST, 0))
        return int(probe.getsockname()[1])


def production_environment(*, database: str, var_dir: Path, settings_module: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "SUBSIDY_", "GUNICORN_"))}
    env.update(
        {
            "DJANGO_SETTINGS_MODULE": settings_module,
            "DJANGO_ENV": "production",
            "DJANGO_SECRET_KEY": secrets.token_urlsafe(50),
            "DJANGO_ALLOWED_HOSTS": f"{HOST},localhost",
            "DATABASE_URL": database,
            "DJANGO_CACHE_URL": "dbcache://subsidy_cache",
            "SUBSIDY_VAR_DIR": str(var_dir),
            "SUBSIDY_PUBLIC_BASE_URL": f"https://{HOST}",
            # Emails go to files the smoke check can read (a sign-up's activation link).
            "DJANGO_EMAIL_BACKEND": "django.core.mail.backends.filebased.EmailBackend",
            "DJANGO_EMAIL_FILE_PATH": str(var_dir / "mail"),
            "PYTHONUNBUFFERED": "1",
        }
    )
    return env


@dataclass
class Stack:
    base_url: str
    env: dict[str, str]
    log_dir: Path
    processes: dict[str, subprocess.Popen[bytes]] = field(default_factory=dict)

    def log(self, name: str) -> str:
        path = self.log_dir / f"{name}.log"
        return path.read_text(errors="replace") if path.exists() else ""

    def check_running(self) -> None:
        for name, process in self.processes.items():
            if process.poll() is not None:
                raise ProfileFailed(f"{name} exited with {process.returncode}")


def manage(env: dict[str, str], *args: str, log_dir: Path) -> subprocess.Popen[bytes]:
    """Start one deployment step (`manage.py ...`); its output goes to log_dir/<command>.log."""
    with open(log_dir / f"{args[0]}.log", "ab") as log:
        return subprocess.Popen(  # noqa: S603
            [PYTHON, "manage.py", *args], cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT
        )


def finish(step: subprocess.Popen[bytes]) -> None:
    if step.wait() != 0:
        raise ProfileFailed(f"{' '.join(map(str, step.args[1:]))} failed ({step.returncode})")  # type: ignore[index]


def deploy(env: dict[str, str], *, log_dir: Path, migrate: bool = True) -> None:
    """The release steps: migrations and the cache table, and static files (beside them:
    collectstatic needs no database)."""
    collect = manage(env, "collectstatic", "--no-input", "-v", "0", log_dir=log_dir)
    try:
        if migrate:
            finish(manage(env, "migrate", "--no-input", "-v", "0", log_dir=log_dir))
        finish(manage(env, "createcachetable", log_dir=log_dir))
        finish(collect)
    finally:
        if collect.poll() is None:
            collect.kill()
            collect.wait()


_prctl: Any
try:  # looked up here: the child, between fork and exec, should only make the call
    _prctl = ctypes.CDLL(None).prctl
except (OSError, AttributeError):  # not Linux: the finally clauses still stop everything
    _prctl = None


def _die_with_parent() -> None:
    """In the child before exec: receive SIGTERM if the process that started it dies."""
    if _prctl is not None:
        _prctl(_PR_SET_PDEATHSIG, signal.SIGTERM)


def start(stack: Stack, name: str, args: list[str]) -> None:
    log = open(stack.log_dir / f"{name}.log", "wb")  # the process writes it until stopped
    try:
        stack.processes[name] = subprocess.Popen(  # noqa: S603
            args,
            cwd=ROOT,
            env=stack.env,
            stdout=log,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            start_new_session=True,  # its own process group: stopped with all its children
            preexec_fn=_die_with_parent,
        )
    finally:
        log.close()


def stop(process: subprocess.Popen[bytes], grace: float = 15.0) -> None:
    """SIGTERM to the process group (gunicorn stops its workers gracefully), then SIGKILL."""
    if process.poll() is None:
        try:
            os.killpg(process.pid, signal.SIGTERM)
        except ProcessLookupError:
            pass
        try:
            process.wait(timeout=grace)
        except subprocess.TimeoutExpired:
            pass
    # Whatever is left in the group (a worker that ignored SIGTERM) goes now.
    try:
        os.killpg(process.pid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        pass
    process.wait()


def wait_until_healthy(stack: Stack, timeout: float = 60.0) -> None:
    import httpx

    deadline = time.monotonic() + timeout
    last = "no answer"
    while time.monotonic() < deadline:
        stack.check_running()
        try:
            response = httpx.get(f"{stack.base_url}/healthz", timeout=5)
            if response.status_code == 200:
                return
            last = f"{response.status_code} {response.text[:200]}"
        except httpx.TransportError as error:
            last = repr(error)
        time.sleep(0.2)
    raise ProfileFailed(f"/healthz did not answer 200 within {timeout:.0f} s: {last}")


@contextmanager
def production_stack(
    *,
    database: dict[str, str],
    settings_module: str = "subsidy.settings",
    web_workers: int = 2,
    task_workers: int = 1,
    scheduler: bool = True,
    migrate: bool = True,
    extra_env: dict[str, str] | None = None,
) -> Iterator[Stack]:
    """Deploy into `database` (Django connection settings of a running PostgreSQL) and
    run the processes; yield once /healthz answers. Logs are echoed on failure."""
    var_dir = Path(tempfile.mkdtemp(prefix="subsidy-prod-"))
    log_dir = var_dir / "logs"
    log_dir.mkdir()
    port = free_port()
    env = production_environment(database=database_url(database), var_dir=var_dir, settings_module=settings_module)
    env.update({"WEB_CONCURRENCY": str(web_workers), "GUNICORN_BIND": f"{HOST}:{port}", **(extra_env or {})})
    stack = Stack(base_url=f"http://{HOST}:{port}", env=env, log_dir=log_dir)
    # SIGTERM becomes an exception here, so that the finally clauses stop everything.
    in_main_thread = threading.current_thread() is threading.main_thread()
    previous = signal.signal(signal.SIGTERM, _raise_system_exit) if in_main_thread else None
    try:
        with ExitStack() as processes:
            deploy(env, log_dir=log_dir, migrate=migrate)
            start(stack, "web", [PYTHON, "-m", "gunicorn", "-c", "deploy/gunicorn.conf.py", "subsidy.wsgi"])
            processes.callback(stop, stack.processes["web"])
            for n in range(task_workers):
                start(stack, f"worker-{n}", [PYTHON, "manage.py", "db_worker", "--no-reload", "--interval", "0.5"])
                processes.callback(stop, stack.processes[f"worker-{n}"])
            if scheduler:
                start(stack, "scheduler", [PYTHON, "manage.py", "run_scheduler", "--interval", "5"])
                processes.callback(stop, stack.processes["scheduler"])
            wait_until_healthy(stack)
            yield stack
    except BaseException:
        for path in sorted(log_dir.glob("*.log")):
            tail = path.read_text(errors="replace").splitlines()[-40:]
            print(f"--- {path.name} (last {len(tail)} lines)", *tail, sep="\n", file=sys.stderr)
        raise
    finally:
        if in_main_thread:
            signal.signal(signal.SIGTERM, previous)
        shutil.rmtree(var_dir, ignore_errors=True)


def _raise_system_exit(signum: int, frame: object) -> None:
    raise SystemExit(128 + signum)
