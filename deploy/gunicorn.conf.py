"""gunicorn settings for the web processes (README: "Running in production").

    gunicorn -c deploy/gunicorn.conf.py subsidy.wsgi

Every number comes from the environment so that one file serves every machine:
GUNICORN_BIND, WEB_CONCURRENCY (worker processes), GUNICORN_THREADS, GUNICORN_TIMEOUT,
GUNICORN_MAX_REQUESTS, GUNICORN_FORWARDED_ALLOW_IPS, GUNICORN_PROXY_PROTOCOL, GUNICORN_ACCESS_LOG.
"""

from __future__ import annotations

import os
from typing import Any


def _int(name: str, default: int) -> int:
    return int(os.environ.get(name, default))


# Loopback by default: the TLS proxy in front is the only thing that talks to gunicorn.
bind = os.environ.get("GUNICORN_BIND", "127.0.0.1:8000").split(",")

# Sync workers, one request each: the pages are CPU and database bound, the proxy buffers
# slow clients. Scale with WEB_CONCURRENCY (about 2 per core) or by more machines.
workers = _int("WEB_CONCURRENCY", 2 * (os.cpu_count() or 1) + 1)
threads = _int("GUNICORN_THREADS", 1)

# A request that takes longer than this is stuck (the slowest legitimate ones, bank-file
# exports of a large batch, stream in a few seconds): the worker is killed and replaced.
timeout = _int("GUNICORN_TIMEOUT", 60)
# On SIGTERM (deploys, scaling down) requests in flight get this long to finish.
graceful_timeout = _int("GUNICORN_GRACEFUL_TIMEOUT", 30)
# Keep-alive with the proxy in front; must be shorter than the proxy's upstream idle timeout.
keepalive = _int("GUNICORN_KEEPALIVE", 5)

# Recycle workers now and then so that a slow leak never takes a process down; the jitter
# keeps them from all restarting at once.
max_requests = _int("GUNICORN_MAX_REQUESTS", 2000)
max_requests_jitter = _int("GUNICORN_MAX_REQUESTS_JITTER", 200)

# Import Django once in the master and fork: workers start fast and share memory. No
# database connection exists before the fork (Django connects lazily on first query).
preload_app = os.environ.get("GUNICORN_PRELOAD", "true").lower() == "true"

# Trust X-Forwarded-Proto only from the proxy's address.
forwarded_allow_ips = os.environ.get("GUNICORN_FORWARDED_ALLOW_IPS", "127.0.0.1,::1")
# Audit rows record REMOTE_ADDR, which behind a proxy is the proxy's address; a proxy that
# speaks the PROXY protocol (HAProxy `send-proxy`) hands gunicorn the client's instead:
# GUNICORN_PROXY_PROTOCOL=v1 (or v2, auto), accepted only from the proxy's address.
proxy_protocol = os.environ.get("GUNICORN_PROXY_PROTOCOL", "off")
proxy_allow_ips = forwarded_allow_ips

# Access log to stdout ("-") for the supervisor or journal: time, client address as the
# proxy forwarded it, request without its query string (search filters may carry names),
# status, bytes, duration in ms, worker pid.
accesslog = os.environ.get("GUNICORN_ACCESS_LOG", "-")
access_log_format = '%(t)s %({x-forwarded-for}i)s "%(m)s %(U)s %(H)s" %(s)s %(B)s %(M)sms pid=%(p)s'
errorlog = "-"
loglevel = os.environ.get("GUNICORN_LOG_LEVEL", "info")

# The heartbeat files live in memory, not on a disk that may stall.
worker_tmp_dir = "/dev/shm" if os.path.isdir("/dev/shm") else None  # noqa: S108

# gunicorn's control socket defaults to one fixed path in the home directory: several
# instances on one machine would fight over it, and nothing here uses it.
control_socket_disable = True


def post_fork(server: Any, worker: Any) -> None:
    """Each worker opens its own database connection: drop anything inherited."""
    from django.db import connections

    connections.close_all()
