# Shared set-up of scripts/demo and scripts/test: uv and the locked dependencies.
# Sourced, not run. Installs uv with pip when it is missing (registries only, no curl | sh) and
# runs it as `python3 -m uv` when pip put it somewhere off PATH.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
if command -v uv >/dev/null 2>&1; then
  UV=(uv)
else
  if ! python3 -m uv --version >/dev/null 2>&1; then
    echo "installing uv with pip" >&2
    python3 -m pip install --quiet uv || python3 -m pip install --quiet --user uv
  fi
  UV=(python3 -m uv)
fi
# SYNC_ARGS: extra groups a script needs (the tests add `validation`: Covasim for the
# simulator's cross-check, never a runtime dependency).
"${UV[@]}" sync --frozen --quiet ${SYNC_ARGS[@]+"${SYNC_ARGS[@]}"}
