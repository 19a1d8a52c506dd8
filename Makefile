# Individuate — the two commands: `make run` and `make test`.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV   := .venv
PY     := $(VENV)/bin/python
PORT   ?= 8000
# e.g. RUNSERVER_ARGS=--noreload (the README test: no file watcher on a busy machine)
RUNSERVER_ARGS ?=
DEV    := DEBUG=1 PORT=$(PORT)

.PHONY: install run test lint typecheck contracts check clean

$(VENV)/.installed: pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check --upgrade pip
	$(PY) -m pip install --quiet --disable-pip-version-check -e '.[dev]'
	touch $@

install: $(VENV)/.installed

run: install
	mkdir -p var
	$(DEV) $(PY) manage.py migrate --noinput
	$(DEV) $(PY) manage.py seed_demo
	$(DEV) $(PY) manage.py train_spam_model --if-missing
	$(DEV) $(PY) manage.py schedule_nightly
	@echo "Serving on http://127.0.0.1:$(PORT)/  (the task worker runs beside it; Ctrl-C stops both)"
	@echo "E-mails (sign-up verification links) are printed in this terminal."
	@$(DEV) $(PY) manage.py db_worker --queue-name '*' --no-reload --verbosity 0 & worker=$$!; \
	trap 'kill $$worker 2>/dev/null' EXIT INT TERM; \
	$(DEV) $(PY) manage.py runserver 127.0.0.1:$(PORT) $(RUNSERVER_ARGS)

test: install
	$(PY) -m pytest $(PYTEST_ARGS)

lint: install
	$(VENV)/bin/ruff check .

typecheck: install
	$(VENV)/bin/mypy individuate dynamics

contracts: install
	$(VENV)/bin/lint-imports

check: lint typecheck contracts

clean:
	rm -rf $(VENV) var test-artifacts
