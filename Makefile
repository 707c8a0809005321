# Netzwerk: `make run` starts the demo, `make test` runs the whole suite.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 8000
STAMP := $(VENV)/.installed

.PHONY: run test install lint bench messages clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e ".[dev]"
	touch $(STAMP)

# axe-core for the accessibility tests, pinned in package-lock.json and loaded into
# Chromium from node_modules/ (never from a CDN).
NODE_STAMP := node_modules/.installed
$(NODE_STAMP): package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	touch $(NODE_STAMP)

install: $(STAMP) $(NODE_STAMP)

# The demo: SQLite, the file-system broker and mail in var/mail/ unless the environment
# says otherwise. DEBUG is on here only; production never uses `make run`.
run: export DJANGO_DEBUG ?= 1
run: export DJANGO_SECURE_SSL_REDIRECT ?= 0
run: export SITE_URL ?= http://127.0.0.1:$(PORT)
run: export PORT := $(PORT)
run: $(STAMP)
	$(BIN)/python manage.py preflight
	$(BIN)/python manage.py migrate --no-input -v 0
	$(BIN)/python manage.py seed_demo --if-empty
	$(BIN)/python manage.py collectstatic --no-input -v 0
	@echo ""
	@echo "Netzwerk läuft gleich unter http://127.0.0.1:$(PORT)/  (Strg-C beendet alles)"
	$(BIN)/python manage.py demo_logins
	@echo "Mails der Demo landen in var/mail/."
	@echo ""
	$(BIN)/honcho start -f Procfile

test: $(STAMP) $(NODE_STAMP)
	DJANGO_DEBUG=1 $(BIN)/python manage.py preflight --quiet
	$(BIN)/pytest

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports
	DJANGO_DEBUG=1 $(BIN)/python manage.py preflight --quiet
	DJANGO_DEBUG=1 $(BIN)/python manage.py makemigrations --check --dry-run

# Translations. German is the source language: the English catalogue
# netzwerk/locale/en/LC_MESSAGES/django.po is extracted from the code and templates, the
# German one (netzwerk/locale/de/) only overrides Django's own texts and is edited by hand.
# After changing texts: `make messages`, fill in every empty or "#, fuzzy" msgstr in the
# English .po, run `make messages` again and commit both .po and .mo.
MESSAGES_IGNORE := .venv node_modules var tests bench build
messages: $(STAMP)
	DJANGO_DEBUG=1 $(BIN)/python manage.py makemessages --locale=en --add-location=file --no-obsolete \
		$(foreach dir,$(MESSAGES_IGNORE),--ignore='$(dir)/*')
	DJANGO_DEBUG=1 $(BIN)/python manage.py compilemessages --locale=en --locale=de \
		$(foreach dir,$(MESSAGES_IGNORE),--ignore='$(dir)')

bench: $(STAMP)
	$(BIN)/python -m bench

clean:
	rm -rf var/ .pytest_cache
