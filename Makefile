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

.PHONY: run test lint bench bench-tally bench-votes bench-proposals bench-tickets bench-opinions bench-pb bench-classify bench-evaluation bench-analysis bench-bodies bench-meetings bench-volunteering bench-learning bench-covenants bench-spaces install install-test db demo totp openapi messages clean

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

lint: install-test
	$(BIN)/ruff check gongzhi tests bench
	$(BIN)/ruff format --check gongzhi tests bench
	$(BIN)/mypy gongzhi
	$(BIN)/lint-imports
	$(BIN)/djlint gongzhi --lint
	$(BIN)/djlint gongzhi --check
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

bench-evaluation: install-test
	$(PY) bench/evaluation.py --scale 1 $(BENCH_ARGS)

bench-analysis: install-test
	$(PY) bench/analysis.py $(BENCH_ARGS)

bench-bodies: install-test
	$(PY) bench/bodies.py $(BENCH_ARGS)

bench-meetings: install-test
	$(PY) bench/meetings.py $(BENCH_ARGS)

bench-volunteering: install-test
	$(PY) bench/volunteering.py $(BENCH_ARGS)

bench-learning: install-test
	$(PY) bench/learning.py $(BENCH_ARGS)

bench-covenants: install-test
	$(PY) bench/covenants.py $(BENCH_ARGS)

# The app's other benches (booking storm, availability grid) join when they exist.
bench-spaces: install-test
	$(PY) bench/spaces_forecast.py $(BENCH_ARGS)
	$(PY) bench/spaces.py $(BENCH_ARGS)

clean:
	rm -rf var .pytest_cache
