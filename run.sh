#!/usr/bin/env bash
# Runs the whole system locally: Azurite (persistent, under .data/), the function app with its local triggers
# (queue pollers, timers, the Event Hubs ingest endpoint) on http://127.0.0.1:${KPNET_PORT:-7071}, and the demo data.
# Ctrl+C stops everything.
set -euo pipefail
cd "$(dirname "$0")"
port="${KPNET_PORT:-7071}"
pids=()

stop() {
  trap - INT TERM EXIT
  echo
  echo "Stopping..."
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  wait 2>/dev/null || true
}
trap stop INT TERM EXIT

wait_for_port() {
  local what=$1 port=$2 pid=$3
  for _ in $(seq 1 300); do
    if (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then return 0; fi
    if ! kill -0 "$pid" 2>/dev/null; then echo "$what exited; see its log above." >&2; exit 1; fi
    sleep 0.2
  done
  echo "$what did not start listening on port $port." >&2
  exit 1
}

for p in 10000 10001 10002 "$port"; do
  if (exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null; then
    echo "Port $p is already in use: stop whatever holds it (another ./run.sh?) and try again." >&2
    trap - INT TERM EXIT
    exit 1
  fi
done

if [ ! -x node_modules/.bin/azurite ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  echo "==> npm ci (Azurite)"
  npm ci --no-audit --no-fund
fi

[ -f local.settings.json ] || cp local.settings.sample.json local.settings.json
mkdir -p .data/azurite .data/logs

echo "==> Azurite (data in .data/azurite, log in .data/logs/azurite.log)"
# The main account and the two telemetry accounts of local.settings.json (README: Cost and scale); the key is Azurite's
# well-known one, the same for all three.
key="Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw=="
AZURITE_ACCOUNTS="devstoreaccount1:$key;devstoreaccount1t0:$key;devstoreaccount1t1:$key" node_modules/.bin/azurite --silent --disableTelemetry --location .data/azurite \
  --blobHost 127.0.0.1 --queueHost 127.0.0.1 --tableHost 127.0.0.1 > .data/logs/azurite.log 2>&1 &
pids+=($!)
wait_for_port Azurite 10002 "${pids[-1]}"
wait_for_port Azurite 10001 "${pids[-1]}"

if [ ! -f portal/node_modules/.package-lock.json ] || [ portal/package-lock.json -nt portal/node_modules/.package-lock.json ]; then
  echo "==> npm ci (portal)"
  (cd portal && npm ci --no-audit --no-fund)
fi
echo "==> portal build (portal/dist)"
(cd portal && npm run build --silent)

echo "==> build"
dotnet build functions/KpNet.Functions -c Release --nologo -v quiet
dotnet build tools/KpNet.Simulator -c Release --nologo -v quiet

echo "==> function app on http://127.0.0.1:$port"
KPNET_PORT="$port" dotnet functions/KpNet.Functions/bin/Release/net10.0/KpNet.Handler.dll &
pids+=($!)
wait_for_port "The function app" "$port" "${pids[-1]}"

echo "==> gateway simulator: every demo gateway sends telemetry every 5 s (log in .data/logs/simulator.log)"
KPNET_PORT="$port" dotnet tools/KpNet.Simulator/bin/Release/net10.0/KpNet.Simulator.dll \
  --gateways tools/demo/gateways.csv --interval 5s > .data/logs/simulator.log 2>&1 &
pids+=($!)

# The environment wins over local.settings.json, as in the app's configuration.
otlp="${OTEL_EXPORTER_OTLP_ENDPOINT:-$(node -e 'try { process.stdout.write(require("./local.settings.json").Values.OTEL_EXPORTER_OTLP_ENDPOINT || "") } catch {}')}"
if [ -n "$otlp" ]; then
  telemetry="traces, metrics and logs over OTLP (${OTEL_EXPORTER_OTLP_PROTOCOL:-grpc}) to $otlp"
else
  telemetry="not exported; set OTEL_EXPORTER_OTLP_ENDPOINT to watch it in an OTLP viewer (README: Operating it)"
fi

cat <<TXT

KP-NET is running locally.
  Telemetry:          $telemetry
  Portal:             http://127.0.0.1:$port/
  Health:             http://127.0.0.1:$port/api/health
  Mails sent so far:  http://127.0.0.1:$port/api/dev/mail   (files in .data/mail/)
  Telemetry ingest:   POST http://127.0.0.1:$port/telemetry/messages   (Event Hubs REST API; SAS from TelemetryEventHub in local.settings.json)
  Demo gateways (ID and password from the sheet in the box), all in tools/demo/gateways.csv:
$(awk -F, 'NR>1 && NR<=4 {printf "    %s  %s  (%s)\n", $1, $2, $5}' tools/demo/gateways.csv)
  Demo dealers (sign in at POST /api/sessions; link one to a gateway with its dealer ID + phone):
    4001  dealer1@kpnet.example.jp  DemoDealer1  090-0000-4001  (IDs on a fresh .data; the app logs the actual ones)
    4002  dealer2@kpnet.example.jp  DemoDealer2  090-0000-4002
Press Ctrl+C to stop.
TXT
wait -n "${pids[@]}"
