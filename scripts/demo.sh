#!/usr/bin/env bash
# The main job on the embedded defaults, end to end and offline:
#   1. create the SQLite database and build the whole catalog from the built-in facts;
#   2. start the bundled PCGS simulator (synthetic data) on loopback;
#   3. find PCGS numbers for a series through the spec search and for a second one through the API
#      alone (pcgs-discover), then run one enrichment pass through the PCGS API client (quota
#      ledger, retries, breaker) against the simulator;
#   4. print the population report.
# Everything the simulator says is synthetic, so the demo works in its own database
# (coinref-demo.db) and never mixes made-up PCGS numbers into a real one.
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=.venv/bin
export DATABASE_URL="${DEMO_DATABASE_URL:-sqlite:///coinref-demo.db}"
export COINREF_LOG_DIR="${COINREF_LOG_DIR:-./logs}"
SERIES="${DEMO_SERIES:-morgan-dollars}"
DISCOVER_SERIES="${DEMO_DISCOVER_SERIES:-peace-dollars}"
PORT="${DEMO_SIM_PORT:-8765}"

$BIN/coinref init
$BIN/coinref populate --source builtin --priority all

$BIN/coinref sim --host 127.0.0.1 --port "$PORT" --token demo-token >"$COINREF_LOG_DIR/sim.log" 2>&1 &
SIM_PID=$!
trap 'kill $SIM_PID 2>/dev/null || true' EXIT
for _ in $(seq 1 100); do
  if $BIN/python -c "import httpx,sys; httpx.get('http://127.0.0.1:$PORT/', timeout=1)" 2>/dev/null; then break; fi
  sleep 0.2
done

export PCGS_API_BASE_URL="http://127.0.0.1:$PORT/publicapi"
export PCGS_API_TOKEN=demo-token
export PCGS_WEBSITE_URL="http://127.0.0.1:$PORT"
export PCGS_SPECSEARCH_URL="http://127.0.0.1:$PORT/SpecSearch/Search/PCGS"
export PCGS_PACING_MS=0 WEBSITE_PACING_MS=0

$BIN/coinref populate --source specsearch --series "$SERIES"
# PCGS numbers through the API alone (what a collector with only a token does), for a second series
$BIN/coinref populate --source pcgs-discover --series "$DISCOVER_SERIES"
$BIN/coinref populate --source pcgs-api --series "$SERIES" --series "$DISCOVER_SERIES"
$BIN/coinref series --priority P0
echo
echo "Demo database: coinref-demo.db (synthetic PCGS data from the simulator)."
echo "Browse it:  DATABASE_URL=sqlite:///coinref-demo.db .venv/bin/coinref serve   then open http://127.0.0.1:8000/"
