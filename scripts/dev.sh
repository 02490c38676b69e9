#!/usr/bin/env bash
# Runs Inspraak on its embedded default: Temporal dev server, worker, API, local documents, demo data.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/bootstrap.sh
exec .venv/bin/inspraak dev "$@"
