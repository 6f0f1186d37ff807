#!/usr/bin/env bash
# `make run`: Temporal dev server (persistent SQLite), local mail sink, worker. Ctrl-C stops all.
set -euo pipefail
cd "$(dirname "$0")/.."
mkdir -p data/mail

TEMPORAL_PORT=${GDPR_TEMPORAL_PORT:-7233}
UI_PORT=${GDPR_UI_PORT:-8233}
SMTP_PORT=${GDPR_SMTP_PORT:-8025}
export GDPR_TEMPORAL_ADDRESS="127.0.0.1:${TEMPORAL_PORT}"
export GDPR_SMTP_PORT="${SMTP_PORT}"
export GDPR_TEMPORAL_UI_URL="http://localhost:${UI_PORT}"
# The example inventory (examples/inventory.yaml) points its SQL systems here.
export GDPR_SCHOOL_DB_URL="${GDPR_SCHOOL_DB_URL:-sqlite:///$(pwd)/data/school.db}"
[ -f data/school.db ] || python scripts/example_school.py data/school.db >/dev/null
# The master key that wraps every case's data key (docs/encryption.md). Created once, owner-only;
# back it up apart from data/: without it no case history can be read.
MASTER_KEY_FILE="${GDPR_MASTER_KEY_FILE:-data/master.key}"
if [ -z "${GDPR_MASTER_KEY:-}" ] && [ ! -f "${MASTER_KEY_FILE}" ]; then
  (umask 077 && python -c 'import codec; print(codec.new_master_key())' > "${MASTER_KEY_FILE}")
  echo "created ${MASTER_KEY_FILE}: back it up (see docs/encryption.md)"
fi

# The key that signs the workspace's session cookies: created once, owner-only, kept across restarts.
SESSION_KEY_FILE="${GDPR_SESSION_SECRET_FILE:-data/session.key}"
if [ -z "${GDPR_SESSION_SECRET:-}" ] && [ ! -f "${SESSION_KEY_FILE}" ]; then
  (umask 077 && python -c 'import secrets; print(secrets.token_urlsafe(32))' > "${SESSION_KEY_FILE}")
fi
WEB_PORT=${GDPR_WEB_PORT:-8000}
export GDPR_PUBLIC_URL="${GDPR_PUBLIC_URL:-http://localhost:${WEB_PORT}}"

pids=()
cleanup() {
  trap - INT TERM EXIT
  echo; echo "stopping ..."
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  wait 2>/dev/null || true
  echo "stopped. Cases, timers and the register are kept in ./data/."
}
trap cleanup INT TERM EXIT

temporal server start-dev \
  --ip 127.0.0.1 --port "${TEMPORAL_PORT}" --ui-ip 127.0.0.1 --ui-port "${UI_PORT}" \
  --db-filename data/temporal.db \
  --sqlite-pragma journal_mode=wal --sqlite-pragma synchronous=normal \
  --log-level warn >>data/temporal.log 2>&1 &
pids+=($!)

for _ in $(seq 1 120); do
  if temporal operator cluster health --address "127.0.0.1:${TEMPORAL_PORT}" >/dev/null 2>&1; then break; fi
  sleep 0.5
done
temporal operator cluster health --address "127.0.0.1:${TEMPORAL_PORT}" >/dev/null \
  || { echo "Temporal did not start; see data/temporal.log"; exit 1; }

python app/mailsink.py --host 127.0.0.1 --port "${SMTP_PORT}" --dir data/mail >>data/mailsink.log 2>&1 &
pids+=($!)
python worker.py 2>>data/worker.log &
pids+=($!)
python -m uvicorn web.main:app --host 127.0.0.1 --port "${WEB_PORT}" --no-access-log >>data/web.log 2>&1 &
pids+=($!)

cat <<INFO

  GDPR case engine is running.
    Workspace       : http://localhost:${WEB_PORT}   (first create an account, below)
    Temporal Web UI : http://localhost:${UI_PORT}
    Temporal        : 127.0.0.1:${TEMPORAL_PORT}   (cases kept in data/temporal.db)
    Mail            : smtp://127.0.0.1:${SMTP_PORT} -> data/mail/*.eml
    Register        : data/register.db
    Example school  : data/school.db (fake people; the example inventory's SQL systems)
    Logs            : data/worker.log, data/temporal.log

  Create the first accounts (in another terminal):
    source .venv/bin/activate
    echo 'en lang adgangskode' | gdpr user add mille@eksempel-skole.dk --name "Mille Nordstrand" \\
      --role employee,key_person --password-stdin
    echo 'en anden lang kode' | gdpr user add dpo@eksempel-skole.dk --name "Dorthe DPO" --role dpo --password-stdin
  then log in at http://localhost:${WEB_PORT} and choose "Anmeld et brud".

  Or work from the terminal, in your own name: make a personal token in the workspace
  (your name at the top -> "Opret en ny nøgle"), then:
    export GDPR_TOKEN=<the token>
    gdpr breach report --aware-at now --what "Elevliste sendt til forkert forældregruppe" \\
      --how "En forælder ringede" --affected-people "Elever i 7.A" --affected-data "Navn, CPR-nummer"
    gdpr cases

  Ctrl-C stops everything.
INFO

wait -n "${pids[@]}"
echo "a component stopped unexpectedly; see data/*.log"
