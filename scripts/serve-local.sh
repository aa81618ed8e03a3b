#!/usr/bin/env bash
# Serves the site on http://127.0.0.1:8000 with a background task worker and the
# periodic-job scheduler beside it; stopping the server (Ctrl-C) stops them too.
# The last thing printed, once the site answers, is where to go and who to sign in as.
set -euo pipefail
PY=.venv/bin/python
$PY manage.py db_worker --no-reload --interval 1 &
worker=$!
$PY manage.py run_scheduler &
scheduler=$!
$PY manage.py runserver --noreload 127.0.0.1:8000 &
server=$!
trap 'kill $server $worker $scheduler 2>/dev/null || true' EXIT INT TERM
for _ in $(seq 1 120); do
    if $PY -c 'import urllib.request; urllib.request.urlopen("http://127.0.0.1:8000/", timeout=2)' 2>/dev/null; then
        $PY manage.py demo_accounts
        break
    fi
    kill -0 $server 2>/dev/null || { echo "The web server stopped; see its messages above." >&2; exit 1; }
    sleep 0.5
done
wait $server
