# KAM dashboard: one-command set-up, run and test.
#
#   make run     set up (venv, packages, demo database) and start the dashboard
#   make test    set up, then run the whole pytest suite
#   make bench   set up, then run bench/run.py
#   make demo    rebuild the demo database (replaces $(KAM_DB))
#   make clean   remove caches and test artefacts; `make distclean` also the venv and the demo db
#
# Variables: PY (python used to create the venv, 3.11+), KAM_DB (database path,
# also read by the app), PYTEST_ARGS (extra pytest arguments), ARGS (extra
# `streamlit run` arguments, e.g. ARGS="--server.port 8502").

PY          ?= python3
VENV        ?= .venv
KAM_DB      ?= data/kam.duckdb
PYTEST_ARGS ?=
ARGS        ?=

VPY   := $(VENV)/bin/python
STAMP := $(VENV)/.req-stamp
PIP_FLAGS := --disable-pip-version-check --no-input --quiet

export KAM_DB

.DEFAULT_GOAL := help
.PHONY: help setup run test bench demo clean distclean

help:
	@sed -n 's/^#   //p' $(firstword $(MAKEFILE_LIST))

# The interpreter of the venv; created once with $(PY), which must be 3.11+.
$(VPY):
	@$(PY) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else 1)' 2>/dev/null || { \
	  echo "error: '$(PY)' is missing or older than Python 3.11 ($$($(PY) --version 2>&1))." >&2; \
	  echo "       Install Python 3.11+ or pass one: make PY=/path/to/python3.11 $(MAKECMDGOALS)" >&2; \
	  exit 1; }
	$(PY) -m venv $(VENV)

# Packages: installed when requirements.txt differs from the copy kept as the
# stamp (content, not only the date, so a fresh checkout does not reinstall).
$(STAMP): requirements.txt | $(VPY)
	@if cmp -s requirements.txt $(STAMP); then \
	  touch $(STAMP); \
	else \
	  echo "Installing requirements.txt into $(VENV) ..."; \
	  $(VPY) -m pip install $(PIP_FLAGS) -r requirements.txt && cp requirements.txt $(STAMP); \
	fi

# The demo database, built only when missing (`make demo` rebuilds it).
$(KAM_DB): | $(STAMP)
	@mkdir -p $(dir $(KAM_DB))
	$(VPY) -m kamcore demo --db $(KAM_DB)

setup: $(STAMP) $(KAM_DB)

run: setup
	$(VENV)/bin/streamlit run app.py $(ARGS)

test: setup
	$(VPY) -m pytest $(PYTEST_ARGS)

bench: setup
	$(VPY) bench/run.py

demo: $(STAMP)
	@mkdir -p $(dir $(KAM_DB))
	$(VPY) -m kamcore demo --db $(KAM_DB) --replace

clean:
	rm -rf .pytest_cache .hypothesis tests/e2e/artifacts bench/data
	find . -path ./$(VENV) -prune -o -name __pycache__ -type d -prune -exec rm -rf {} +

distclean: clean
	rm -rf $(VENV) $(KAM_DB) $(KAM_DB).wal
