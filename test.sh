#!/usr/bin/env bash
# Runs every test: unit, integration against a real Azurite (started by the tests on free ports, in memory),
# the published handler as the Functions host starts it, and the portal in headless Chromium. Installs what it
# needs when missing. Exits non-zero on any failure.
set -euo pipefail
cd "$(dirname "$0")"

# The browser tests drive Debian's Chromium (no browser download) and need Japanese fonts.
missing=()
[ -x /usr/bin/chromium ] || missing+=(chromium)
fc-list 2>/dev/null | grep -q "Noto Sans CJK JP" || missing+=(fonts-noto-cjk)
if [ ${#missing[@]} -gt 0 ]; then
  if [ "$(id -u)" -ne 0 ]; then
    echo "The browser tests need: ${missing[*]} (apt). Run as root, or install them first." >&2
    exit 1
  fi
  apt-get update -q
  DEBIAN_FRONTEND=noninteractive apt-get install -y -q "${missing[@]}"
fi

# Azurite, Microsoft's JavaScript storage SDKs (a test reads what the system writes with them), and the API contract's
# lint and fuzzing tools (Redocly CLI, portman, newman, prism).
if [ ! -x node_modules/.bin/azurite ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  npm ci --no-audit --no-fund
fi

if [ ! -f portal/node_modules/.package-lock.json ] || [ portal/package-lock.json -nt portal/node_modules/.package-lock.json ]; then
  (cd portal && npm ci --no-audit --no-fund)
fi
echo "==> portal build (the browser tests load portal/dist)"
(cd portal && npm run build --silent)

results=$(mktemp -d)
trap 'rm -rf "$results"' EXIT

echo "==> build"
dotnet build KpNet.sln -c Release --nologo -v quiet

echo "==> publish (the deployable package the tests inspect)"
export KPNET_PUBLISH_DIR="$results/publish/app"
export KPNET_PUBLISH_PACKAGE="$results/publish/kpnet-functions.zip"
dotnet publish functions/KpNet.Functions -c Release --nologo -v quiet -o "$KPNET_PUBLISH_DIR" -p:FunctionsPackagePath="$KPNET_PUBLISH_PACKAGE"

echo "==> test"
status=0
dotnet test tests/KpNet.Tests -c Release --no-build --nologo --logger "trx;LogFileName=results.trx" --results-directory "$results" || status=$?

# One plain summary line for whoever reads the log.
python3 - "$results/results.trx" <<'PY' || status=1
import sys, xml.etree.ElementTree as ET
counters = ET.parse(sys.argv[1]).getroot().find('.//{*}ResultSummary/{*}Counters')
passed, failed = int(counters.get('passed')), int(counters.get('failed')) + int(counters.get('error')) + int(counters.get('timeout'))
skipped = int(counters.get('total')) - passed - failed
print(f"tests: {passed} passed, {failed} failed, {skipped} skipped")
sys.exit(1 if failed or skipped or passed == 0 else 0)
PY
exit $status
