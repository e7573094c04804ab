#!/usr/bin/env bash
# The README's commands on the served demo's data folder, with no variable but its path
# (the demo wrote its settings to $DEMO_DIR/env), and /healthz for supervision.
set -euo pipefail
grep -q "^SPLD_SITE_URL=$DEMO_URL$" "$DEMO_DIR/env"
curl -fsS "$DEMO_URL/healthz" | grep -q '"ok"'
code=$(curl -s -o /dev/null -w '%{http_code}' "$DEMO_URL/log/")
echo "GET /log/ -> $code"; [ "$code" = 302 ]
export SPLD_DATA_DIR="$DEMO_DIR"
.venv/bin/spld token create --org eau-du-ponant --name ci 2>/dev/null | grep -q '^spld_'
.venv/bin/spld log verify --url "$DEMO_URL" --no-payloads | tail -1
.venv/bin/spld report annual --year "$(( $(date +%Y) - 1 ))" | tail -1
