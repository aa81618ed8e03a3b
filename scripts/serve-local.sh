#!/usr/bin/env bash
# Serves the site on http://127.0.0.1:8000 with a background task worker beside it;
# stopping the server (Ctrl-C) stops the worker too.
set -euo pipefail
PY=.venv/bin/python
$PY manage.py db_worker --no-reload --interval 1 &
worker=$!
trap 'kill $worker 2>/dev/null || true' EXIT INT TERM
$PY manage.py runserver 127.0.0.1:8000
