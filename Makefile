# Talent op Maat — `make run` serves the app, `make test` runs the whole suite.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed-stamp
export TOM_HOME ?= $(CURDIR)/var

BROWSER_STAMP := node_modules/.installed-stamp

.PHONY: install browser-deps deploy-deps run test audit bench clean

# torch comes first and pinned: this version's CPU build lies on the machines' disk, and
# sentence-transformers would otherwise pull a multi-GB CUDA build.
$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet torch==2.13.0
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $(STAMP)

install: $(STAMP)

run: install
	$(BIN)/tom taxonomy status
	$(BIN)/tom db upgrade
	$(BIN)/tom demo load
	$(BIN)/tom serve --host 127.0.0.1 --port 8000

# The browser tests drive Debian's Chromium and inject axe-core (npm). Installing Chromium needs
# root and apt; without it the browser tests are skipped and say why.
$(BROWSER_STAMP): package.json package-lock.json
	command -v chromium >/dev/null 2>&1 || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive \
		apt-get install -y -qq chromium; } || echo "make: could not install chromium; browser tests will be skipped"
	npm ci --no-audit --no-fund
	touch $@

browser-deps: $(BROWSER_STAMP)

# The deployment tests (tests/test_deploy.py) put Debian's nginx, with an openssl certificate, in front of the
# app. Installing needs root and apt; RUNLEVEL=1 keeps the package from starting nginx on port 80. Without
# them those tests are skipped and say why.
deploy-deps:
	@{ command -v nginx >/dev/null 2>&1 || test -x /usr/sbin/nginx; } && command -v openssl >/dev/null 2>&1 || \
	{ apt-get update -qq && RUNLEVEL=1 DEBIAN_FRONTEND=noninteractive apt-get install -y -qq \
		--no-install-recommends nginx openssl; } || echo "make: could not install nginx; deployment tests will be skipped"

test: install $(BROWSER_STAMP) deploy-deps
	$(BIN)/ruff check .
	$(BIN)/mypy
	$(BIN)/python scripts/audit.py
	$(BIN)/pytest

# Known vulnerabilities in the installed packages (pip-audit); also part of `make test`.
audit: install
	$(BIN)/python scripts/audit.py

bench: install
	$(BIN)/python benchmarks/quality.py
	$(BIN)/python benchmarks/speed.py
	$(BIN)/python benchmarks/matching_quality.py
	$(BIN)/python benchmarks/matching_speed.py
	$(BIN)/python benchmarks/import_speed.py
	$(BIN)/python benchmarks/load.py

clean:
	rm -rf $(VENV) var .pytest_cache .mypy_cache .ruff_cache node_modules
