#!/usr/bin/env bash
# The whole test suite, from a clean clone: a project virtual environment, the package
# with its test extras, then pytest. The Neo4j tests build and start the project's own
# Neo4j 5.26 server (neo4j-launcher/, via Maven) in a session fixture and stop it after.
set -euo pipefail
cd "$(dirname "$0")/.."
python3 -m venv .venv
.venv/bin/python -m pip install --quiet --upgrade pip
.venv/bin/python -m pip install --quiet -e '.[test]'
exec .venv/bin/python -m pytest "$@"
