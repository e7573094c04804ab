#!/usr/bin/env bash
# Transparency log on the running demo: public endpoints answer and an independent
# verification (signature, tiles, every entry and payload) succeeds.
set -euo pipefail
for path in /log/checkpoint /log/key /journal/ /journal/garanties/ /journal/temoins/ \
            "/api/1/log/proof/inclusion?index=0" /api/1/log/entries/0; do
  code=$(curl -s -o /dev/null -w '%{http_code}' "$DEMO_URL$path")
  echo "GET $path -> $code"; [ "$code" = 200 ]
done
curl -fsS "$DEMO_URL/log/checkpoint" | grep -q "^— " # signed
SPLD_DATA_DIR="$DEMO_DIR" SPLD_DEMO=1 .venv/bin/spld log verify --url "$DEMO_URL" \
  --key "$(curl -fsS "$DEMO_URL/log/key")" --state "$DEMO_DIR/log-verify-state.json"
