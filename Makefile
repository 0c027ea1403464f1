# gongzhi — the two commands: `make run` (demo on SQLite) and `make test` (the whole suite).
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
PY     := $(BIN)/python
DB     ?= sqlite
PG_URL ?= postgres://gongzhi:gongzhi@127.0.0.1:5432/gongzhi
HOST   ?= 127.0.0.1
PORT   ?= 8000
# The data directory: settings.py reads the same variable (SQLite file, uploads, demo.env).
DATA   := $(or $(GONGZHI_DATA_DIR),var)

ifeq ($(DB),postgres)
export DATABASE_URL := $(PG_URL)
endif

.PHONY: run test lint bench bench-tally bench-votes bench-proposals bench-tickets bench-opinions bench-pb bench-classify install install-test db demo totp openapi messages clean

$(PY):
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip

$(VENV)/.installed: pyproject.toml | $(PY)
	$(PY) -m pip install --quiet -e .
	touch $@

$(VENV)/.installed-test: pyproject.toml $(VENV)/.installed
	$(PY) -m pip install --quiet -e '.[test]'
	touch $@

$(VENV)/.installed-bench: pyproject.toml $(VENV)/.installed-test
	$(PY) -m pip install --quiet -e '.[test,bench]'
	touch $@

install: $(VENV)/.installed
install-test: $(VENV)/.installed-test

# Everything but the demo reads the tests' settings (explicit test keys; no demo.env needed).
test lint openapi messages: export DJANGO_SETTINGS_MODULE := tests.settings

# The demo's settings: DEBUG off, GONGZHI_DEMO=1 and keys of its own, generated once and kept
# (gongzhi/demo_env.py never rewrites the file: the demo's journal is chained with its keys).
$(DATA)/demo.env: | $(PY)
	$(PY) -m gongzhi.demo_env $(DATA)

db: install $(DATA)/demo.env
	mkdir -p $(DATA)/static  # WhiteNoise looks there too, even when it serves from the apps
	$(PY) manage.py compile_catalogues
	$(PY) manage.py migrate --noinput -v0
	$(PY) manage.py createcachetable

demo: db
	$(PY) manage.py seed_demo

run: demo
	@echo "gongzhi is starting on http://$(HOST):$(PORT)/ — stop it with Ctrl-C"
	$(PY) manage.py runserver $(HOST):$(PORT)

totp: install $(DATA)/demo.env
	@$(PY) manage.py demo_totp

test: install-test
	mkdir -p var
	$(PY) manage.py compile_catalogues
	@$(PY) -c "import sys; from tests.browser import chromium_path; p = chromium_path(); print('browser tests: Chromium at ' + p if p else '\n*** WARNING: Chromium not found: the browser journeys will be SKIPPED. ***\n*** Install it: apt-get install chromium (CI always has it).     ***\n')"
	$(PY) -m pytest -n 2 --dist loadfile -q $(PYTEST_ARGS)

# mypy covers the modules issue 11 touched and those it covered before; issue 12 widens it to the package.
MYPY_MODULES := \
	gongzhi/accounts/adapter.py gongzhi/accounts/admin.py gongzhi/accounts/api.py \
	gongzhi/accounts/forms.py gongzhi/accounts/manifest.py gongzhi/accounts/models.py \
	gongzhi/accounts/privacy.py gongzhi/accounts/privacy_api.py gongzhi/accounts/selectors.py \
	gongzhi/accounts/services.py gongzhi/accounts/urls.py gongzhi/accounts/views.py gongzhi/api.py \
	gongzhi/budgeting/api.py gongzhi/budgeting/apps.py gongzhi/budgeting/checks.py \
	gongzhi/budgeting/explain.py gongzhi/budgeting/manifest.py gongzhi/budgeting/models.py \
	gongzhi/budgeting/pabulib.py gongzhi/budgeting/privacy.py gongzhi/budgeting/rules.py \
	gongzhi/budgeting/selectors.py gongzhi/budgeting/services.py gongzhi/budgeting/tally.py \
	gongzhi/core/admin.py gongzhi/core/api.py gongzhi/core/apidoc.py gongzhi/core/boundary.py \
	gongzhi/core/cachecontrol.py gongzhi/core/forms.py gongzhi/core/http.py gongzhi/core/journal.py \
	gongzhi/core/demo.py gongzhi/core/files.py gongzhi/core/phones.py gongzhi/*/demo.py \
	gongzhi/core/management/commands/backup.py \
	gongzhi/core/management/commands/backup_drill.py gongzhi/core/management/commands/check_keys.py \
	gongzhi/core/management/commands/journal_rotate_key.py \
	gongzhi/core/management/commands/journal_verify.py \
	gongzhi/core/management/commands/platform_admin.py \
	gongzhi/core/management/commands/seed_demo.py gongzhi/core/manifest.py gongzhi/core/models.py \
	gongzhi/core/pagination.py gongzhi/core/policies.py gongzhi/core/privacy.py \
	gongzhi/core/ratelimit.py gongzhi/core/roster.py gongzhi/core/selectors.py \
	gongzhi/core/services.py gongzhi/core/soon.py gongzhi/core/uploads.py gongzhi/core/views.py \
	gongzhi/deliberation/api.py gongzhi/deliberation/forms.py gongzhi/deliberation/manifest.py \
	gongzhi/deliberation/privacy.py gongzhi/deliberation/selectors.py \
	gongzhi/deliberation/services.py gongzhi/demo_env.py gongzhi/disclosure/api.py \
	gongzhi/disclosure/manifest.py gongzhi/disclosure/money.py gongzhi/disclosure/privacy.py \
	gongzhi/disclosure/selectors.py gongzhi/disclosure/services.py gongzhi/feedback/api.py \
	gongzhi/feedback/classify.py gongzhi/feedback/forms.py gongzhi/feedback/lexicon.py \
	gongzhi/feedback/management/commands/hotline_router_eval.py \
	gongzhi/feedback/manifest.py gongzhi/feedback/open311.py gongzhi/feedback/privacy.py \
	gongzhi/feedback/routing.py gongzhi/feedback/selectors.py gongzhi/feedback/services.py \
	gongzhi/feedback/similarity.py gongzhi/feedback/stats.py gongzhi/feedback/stats_api.py \
	gongzhi/feedback/stats_views.py gongzhi/feedback/views.py gongzhi/notifications/apps.py \
	gongzhi/notifications/checks.py \
	gongzhi/notifications/management/commands/send_due_deliveries.py \
	gongzhi/notifications/manifest.py gongzhi/notifications/masking.py \
	gongzhi/notifications/models.py gongzhi/notifications/policies.py \
	gongzhi/notifications/privacy.py gongzhi/notifications/selectors.py \
	gongzhi/notifications/services.py gongzhi/notifications/sms.py gongzhi/notifications/tasks.py \
	gongzhi/notifications/views.py gongzhi/opinions/api.py gongzhi/opinions/cluster.py \
	gongzhi/opinions/manifest.py gongzhi/opinions/mapstore.py gongzhi/opinions/polis.py \
	gongzhi/opinions/polisdata.py gongzhi/opinions/privacy.py gongzhi/opinions/selectors.py \
	gongzhi/opinions/services.py gongzhi/settings.py gongzhi/urls.py gongzhi/voting/api.py \
	gongzhi/voting/apps.py gongzhi/voting/checks.py gongzhi/voting/keys.py \
	gongzhi/voting/management/commands/votes_announce.py gongzhi/voting/manifest.py \
	gongzhi/voting/models.py gongzhi/voting/owner_roll.py gongzhi/voting/privacy.py \
	gongzhi/voting/selectors.py gongzhi/voting/services.py gongzhi/voting/tally.py

lint: install-test
	$(BIN)/ruff check gongzhi tests bench
	$(BIN)/ruff format --check gongzhi tests bench
	$(BIN)/mypy $(MYPY_MODULES)
	$(BIN)/lint-imports
	$(PY) manage.py makemigrations --check --dry-run
	$(PY) manage.py compile_catalogues --check
	$(PY) manage.py export_openapi --check

openapi: install
	$(PY) manage.py export_openapi

messages: install
	$(PY) manage.py makemessages -l zh_Hans -l en --no-obsolete --no-location --ignore '.venv/*' --ignore 'var/*' --ignore 'tests/*' --ignore 'bench/*' --ignore 'docs/*'
	$(PY) manage.py compile_catalogues --fill-english

bench: install-test
	$(PY) bench/run.py $(BENCH_ARGS)

bench-tally: install
	$(PY) bench/tally.py $(BENCH_ARGS)

bench-votes: install-test
	$(PY) bench/votes.py $(BENCH_ARGS)

bench-proposals: install-test
	$(PY) bench/proposals.py $(BENCH_ARGS)

bench-tickets: install-test
	$(PY) bench/tickets.py $(BENCH_ARGS)

bench-classify: install
	$(PY) bench/classify.py $(BENCH_ARGS)

bench-pb: install-test
	$(PY) bench/pb.py $(BENCH_ARGS)

bench-opinions: $(VENV)/.installed-bench
	$(PY) bench/opinions.py $(BENCH_ARGS)

clean:
	rm -rf var .pytest_cache
