#!/usr/bin/env bash
# The whole test suite, from a clean clone: a project virtual environment, the package
# with its test extras, then pytest. The Neo4j tests build and start the project's own
# Neo4j 5.26 server (neo4j-launcher/, via Maven) in a session fixture and stop it after.
set -euo pipefail
cd "$(dirname "$0")/.."
# The web workbench's browser tests drive Debian's Chromium through its chromedriver
# (no browser is downloaded by the tests themselves).
if [ ! -x /usr/bin/chromium ] || [ ! -x /usr/bin/chromedriver ]; then
  if [ "$(id -u)" -eq 0 ]; then as_root=(); else as_root=(sudo); fi
  "${as_root[@]}" apt-get update -qq
  DEBIAN_FRONTEND=noninteractive "${as_root[@]}" apt-get install -y -qq -o DPkg::Lock::Timeout=600 \
    chromium chromium-driver >/dev/null
fi
# tests/test_libreoffice.py opens the template and the exports in LibreOffice (Calc without
# its GUI) with a CJK font, as a worker without Excel would.
if ! command -v soffice >/dev/null; then
  if [ "$(id -u)" -eq 0 ]; then as_root=(); else as_root=(sudo); fi
  "${as_root[@]}" apt-get update -qq
  DEBIAN_FRONTEND=noninteractive "${as_root[@]}" apt-get install -y -qq -o DPkg::Lock::Timeout=600 \
    --no-install-recommends libreoffice-calc-nogui fonts-wqy-zenhei >/dev/null
fi
python3 -m venv .venv
.venv/bin/python -m pip install --quiet --upgrade pip
.venv/bin/python -m pip install --quiet -e '.[test]'
exec .venv/bin/python -m pytest "$@"
