# Two commands matter: `make run` and `make test` (see README.md).
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.requirements-installed
LETTER_FONT := var/fonts/letter-sans.ttf

.PHONY: run test setup system-packages messages lint typecheck pytest demo clean screenshots prod-check

NODE_STAMP := node_modules/.npm-ci-installed

setup: system-packages $(STAMP) messages $(LETTER_FONT) $(NODE_STAMP)

system-packages:
	@bash scripts/ensure-system-packages.sh

$(STAMP): requirements.txt
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q --disable-pip-version-check -r requirements.txt
	@touch $(STAMP)

# axe-core for the browser tests' accessibility checks: npm ci only when node_modules is
# missing or package.json / package-lock.json changed.
$(NODE_STAMP): package.json package-lock.json | system-packages
	npm ci --no-audit --no-fund --loglevel=error
	@touch $(NODE_STAMP)

# The letter font is derived from the system's WenQuanYi Zen Hei (subsidy/letters/fonts.py).
$(LETTER_FONT): subsidy/letters/fonts.py | $(STAMP)
	$(PY) manage.py build_letter_font --force

# Compiled catalogues are build output, not source: rebuild them every time.
messages: $(STAMP)
	@$(PY) manage.py compilemessages -v 0 --ignore=.venv

run: setup
	@mkdir -p var
	$(PY) manage.py migrate --no-input -v 0
	$(PY) manage.py load_demo
	@# The demo's own emails and jobs run now, into a log, so the banner stays the last word.
	@$(PY) manage.py db_worker --batch --no-reload > var/demo-tasks.log 2>&1
	@bash scripts/serve-local.sh

test: setup lint typecheck pytest

lint: $(STAMP)
	$(PY) -m ruff check .
	$(PY) -m ruff format --check .

typecheck: $(STAMP)
	$(PY) -m mypy

pytest: $(STAMP)
	$(PY) -m pytest

# The README's pictures, taken by the browser tour of the demo (tests/e2e/test_tour.py).
screenshots: setup
	SUBSIDY_UPDATE_SCREENSHOTS=1 $(PY) -m pytest -q -p no:randomly tests/e2e/test_tour.py -k tour_of

# The production profile (gunicorn, task worker, scheduler, PostgreSQL, whitenoise) on
# loopback against a throwaway PostgreSQL, a smoke test through it, everything stopped.
prod-check: setup
	$(PY) -m devtools.prod_check

clean:
	rm -rf $(VENV) db.sqlite3 var/
