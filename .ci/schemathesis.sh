#!/usr/bin/env bash
# Bounded schemathesis against the live app: PostgreSQL, gunicorn, DEBUG off, a real
# SECRET_KEY, the demo data, authenticated as the demo client with an API token.
# Fails on any 5xx, undocumented status code or response that breaks the schema.
# Usage: .ci/schemathesis.sh  (PY, PORT, SCHEMATHESIS_DB, SCHEMATHESIS_MAX_TIME to change)
set -euo pipefail
cd "$(dirname "$0")/.."
PY=${PY:-.venv/bin/python}
BIN=$(dirname "$PY")
PORT=${PORT:-8514}
DB=${SCHEMATHESIS_DB:-individuate_schemathesis}
MAX_TIME=${SCHEMATHESIS_MAX_TIME:-150}

export DATABASE_URL="postgres://postgres@127.0.0.1:5432/$DB"
export SECRET_KEY="schemathesis-$(head -c 24 /dev/urandom | od -An -tx1 | tr -d ' \n')"
# TESTING=1: plain static files storage (no collectstatic needed for /api/docs); tasks run at
# once (no worker to start); the fuzzer's many wrong passwords must not lock it out.
export DEBUG=0 ALLOWED_HOSTS=127.0.0.1 SITE_ROOT="http://127.0.0.1:$PORT" TESTING=1
export TASKS_BACKEND=django_tasks.backends.immediate.ImmediateBackend
export LOGIN_FAILED_RATE_LIMIT="1000/m/ip,1000/m/key"

psql -h 127.0.0.1 -U postgres -qc "DROP DATABASE IF EXISTS $DB" -c "CREATE DATABASE $DB" postgres
"$PY" manage.py migrate --noinput -v 0
"$PY" manage.py seed_demo >/dev/null
TOKEN=$("$PY" manage.py shell -c "
from individuate.accounts.actions import issue_api_token
from individuate.accounts.models import User
print(issue_api_token(User.objects.get(email='robin@example.com'), 'schemathesis')[1])" 2>/dev/null | tail -1 | tr -d '[:space:]')

"$BIN/gunicorn" individuate.config.wsgi --workers 2 --bind "127.0.0.1:$PORT" --log-level warning &
SERVER=$!
trap 'kill $SERVER 2>/dev/null || true' EXIT
for _ in $(seq 60); do curl -sf "http://127.0.0.1:$PORT/api/openapi.json" >/dev/null && break; sleep 0.5; done

"${ST:-$BIN/st}" run "http://127.0.0.1:$PORT/api/openapi.json" \
  --header "Authorization: Bearer $TOKEN" \
  --checks not_a_server_error,status_code_conformance,content_type_conformance,response_schema_conformance \
  --max-examples "${SCHEMATHESIS_MAX_EXAMPLES:-30}" --max-time "$MAX_TIME" --workers 1 --seed 11 \
  --phases examples,coverage,fuzzing --suppress-health-check all --request-timeout 20 \
  --report junit --report-dir "${REPORT_DIR:-var/schemathesis}"
