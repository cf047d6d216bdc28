# The whole set-up is `make run` and `make test`; everything else is what they call.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: install run test lint format messages check-deploy drill bench bench-install bench-load clean

$(VENV)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(VENV)/bin/pip install --quiet --upgrade pip
	$(VENV)/bin/pip install --quiet --editable ".[dev]"
	@if command -v msgfmt >/dev/null 2>&1; then \
		$(PY) manage.py compilemessages --ignore=.venv -v 0; \
	else \
		echo "msgfmt not found (Debian: apt-get install gettext); using the committed catalogues"; \
	fi
	@touch $@

install: $(VENV)/.installed

run: install
	@mkdir -p var
	$(PY) manage.py migrate --noinput -v 0
	$(PY) manage.py seed_demo --if-empty
	HOST=$(HOST) PORT=$(PORT) $(PY) scripts/devserver.py

test: install
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/lint-imports
	$(VENV)/bin/mypy
	$(PY) manage.py makemigrations --check --dry-run -v 1 --settings=config.settings.test
	$(PY) -m pytest $(PYTEST_ARGS)

lint: install
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/lint-imports
	$(VENV)/bin/mypy

format: install
	$(VENV)/bin/ruff check --fix .
	$(VENV)/bin/ruff format .

screenshots: install
	DESK_SCREENSHOTS=1 $(PY) -m pytest tests/browser -q

messages: install
	$(PY) manage.py makemessages -l zh_Hans --ignore=.venv --ignore=var --no-obsolete
	$(PY) manage.py compilemessages --ignore=.venv

check-deploy: install
	DJANGO_SETTINGS_MODULE=config.settings.production \
	DJANGO_SECRET_KEY=$${DJANGO_SECRET_KEY:-check-deploy-$$(date +%s)-not-a-real-secret-key-0123456789} \
	DJANGO_ALLOWED_HOSTS=$${DJANGO_ALLOWED_HOSTS:-desk.example.com} \
	$(PY) manage.py check --deploy --fail-level WARNING

# Web, workers and beat from the deploy/ samples on loopback, 200 complaints, a worker killed
# mid-sweep (docs/deploy.md). Needs PostgreSQL and Redis on 127.0.0.1.
drill: install
	$(PY) -m scripts.drill $(DRILL_ARGS)

# SPEC §8 performance figures against a PostgreSQL database of N demo complaints, built once
# (desk_bench_N on 127.0.0.1) and reused; gunicorn and wrk for the HTTP part (docs/benchmarks.md).
N ?= 100000
bench: bench-install
	$(PY) -m bench.run --complaints $(N) $(BENCH_ARGS)

# Fifty staff at once: locust clicking through gunicorn on desk_bench_N (built by `make bench`
# first), 10, 25 and 50 users for 60 s each (bench/load.py; LOAD_ARGS=--help for the options).
bench-load: bench-install
	$(PY) -m bench.load --complaints $(N) $(LOAD_ARGS)

bench-install: install
	$(VENV)/bin/pip install --quiet --editable ".[bench]"

clean:
	rm -rf $(VENV) staticfiles .pytest_cache .ruff_cache
