#!/usr/bin/env bash
# Runs the whole test suite (and the linters) on a fresh machine. CI runs exactly this (.ci/run).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/bootstrap.sh
# LibreOffice opens every generated letter in one test. Install it from Debian's packages when we may
# (root, apt-get present); elsewhere that test skips and says why. INSPRAAK_SKIP_APT=1 skips this step.
if ! command -v soffice >/dev/null 2>&1 && [ "${INSPRAAK_SKIP_APT:-0}" != 1 ] \
   && [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
  echo "Installing LibreOffice Writer from Debian's packages (once)..."
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
    libreoffice-writer-nogui fonts-dejavu-core >/dev/null
fi
# The portal's browser tests (tests/portal) drive Debian's chromium with Playwright (never Playwright's own
# browser download) and check every page with axe-core, from the npm package pinned in tests/portal/package.json.
if ! command -v chromium >/dev/null 2>&1 && [ "${INSPRAAK_SKIP_APT:-0}" != 1 ] \
   && [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
  echo "Installing chromium from Debian's packages (once)..."
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends chromium fonts-dejavu-core >/dev/null
fi
axe=tests/portal/node_modules/axe-core/package.json
if { [ ! -f "$axe" ] || [ tests/portal/package.json -nt "$axe" ]; } && command -v npm >/dev/null 2>&1; then
  (cd tests/portal && npm install --no-audit --no-fund --no-package-lock --silent)
fi
.venv/bin/ruff check inspraak tests bench scripts
.venv/bin/mypy inspraak
# The Word templates are the source of truth: every one must render with the sample letters.
.venv/bin/inspraak templates check
.venv/bin/python -m pytest -q "$@"
