# Sourced by scripts/run and scripts/test: create .venv and install the project
# from pyproject.toml, again only when pyproject.toml changed since last time.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
VENV="$ROOT/.venv"
PYTHON_BIN="${PYTHON:-python3}"

ensure_venv() {
    local extras="$1"
    if [ ! -x "$VENV/bin/python" ]; then
        echo "creating virtualenv in $VENV"
        "$PYTHON_BIN" -m venv "$VENV"
    fi
    local stamp="$VENV/.installed-$extras"
    local want
    want="$(sha256sum "$ROOT/pyproject.toml" | cut -d' ' -f1)"
    if [ ! -f "$stamp" ] || [ "$(cat "$stamp")" != "$want" ]; then
        echo "installing qi-engine$extras from pyproject.toml"
        "$VENV/bin/python" -m pip install --quiet --upgrade pip
        "$VENV/bin/python" -m pip install --quiet -e "$ROOT$extras"
        echo "$want" > "$stamp"
    fi
}
