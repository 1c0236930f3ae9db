# Shared set-up of scripts/demo and scripts/test: uv and the locked dependencies.
# Sourced, not run. Installs uv with pip when it is missing (no curl|sh: registries only).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
export PATH="$HOME/.local/bin:$PATH"
if ! command -v uv >/dev/null 2>&1; then
  echo "installing uv with pip" >&2
  python3 -m pip install --quiet uv || python3 -m pip install --quiet --user uv
fi
uv sync --frozen --quiet
