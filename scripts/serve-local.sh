#!/usr/bin/env bash
# Serves the site on http://127.0.0.1:8000 with a background task worker and the
# periodic-job scheduler beside it; stopping the server (Ctrl-C) stops them too.
set -euo pipefail
PY=.venv/bin/python
$PY manage.py db_worker --no-reload --interval 1 &
worker=$!
$PY manage.py run_scheduler &
scheduler=$!
trap 'kill $worker $scheduler 2>/dev/null || true' EXIT INT TERM
$PY manage.py runserver 127.0.0.1:8000
