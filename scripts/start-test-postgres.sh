#!/bin/sh
# Starts a PostgreSQL for the test suite on loopback and prints the URL the tests use.
#
#   sh scripts/start-test-postgres.sh            # as root (CI): installs Debian's postgresql if missing
#   export SNARF_TEST_PG_URL=$(sh scripts/start-test-postgres.sh | tail -n 1)
#
# Uses the Debian cluster (pg_ctlcluster, version from pg_lsclusters, default 15/main) bound to
# 127.0.0.1, and creates the role and database named in the URL. Idempotent: safe to re-run on a
# cluster that is already up. Each test then works in its own schema of that database.
set -eu

URL="${SNARF_TEST_PG_URL:-postgres://snarf:snarf@127.0.0.1:5432/snarf_test}"
# postgres://USER:PASS@HOST:PORT/DB
rest="${URL#*://}"
userpass="${rest%%@*}"
hostpart="${rest#*@}"
PGUSER_T="${userpass%%:*}"
PGPASS_T="${userpass#*:}"
PGPORT_T="$(echo "${hostpart%%/*}" | sed -n 's/.*:\([0-9]*\)$/\1/p')"
PGPORT_T="${PGPORT_T:-5432}"
PGDB_T="${hostpart#*/}"
PGDB_T="${PGDB_T%%\?*}"

say() { echo "start-test-postgres: $*" >&2; }

if ! command -v pg_ctlcluster >/dev/null 2>&1 || [ -z "$(ls /usr/lib/postgresql 2>/dev/null)" ]; then
  if [ "$(id -u)" -ne 0 ]; then say "PostgreSQL is not installed and this is not root: apt-get install postgresql"; exit 1; fi
  say "installing PostgreSQL from Debian's packages"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq >&2
  apt-get install -y -qq postgresql >&2
fi

VER="$(ls /usr/lib/postgresql | sort -n | tail -n 1)"
if ! pg_lsclusters -h | awk '{print $1" "$2}' | grep -qx "$VER main"; then
  say "creating cluster $VER/main"
  pg_createcluster "$VER" main -p "$PGPORT_T" >&2
fi

# Loopback only, on the port of the URL; fsync off is fine for a throwaway test cluster.
CONF="/etc/postgresql/$VER/main/conf.d/snarf-test.conf"
mkdir -p "$(dirname "$CONF")"
cat > "$CONF" <<EOF
listen_addresses = '127.0.0.1'
port = $PGPORT_T
max_connections = 200
fsync = off
synchronous_commit = off
full_page_writes = off
EOF

status="$(pg_lsclusters -h | awk -v v="$VER" '$1 == v && $2 == "main" {print $4}')"
if [ "$status" = "online" ]; then
  # A cluster the package started has its own settings; port, listen_addresses and
  # max_connections only change on a restart.
  pg_ctlcluster "$VER" main restart >&2
else
  pg_ctlcluster "$VER" main start >&2
fi

# Wait until it accepts connections (socket; the role does not exist yet).
i=0
until su postgres -c "psql -p $PGPORT_T -Atqc 'select 1'" >/dev/null 2>&1; do
  i=$((i + 1))
  if [ "$i" -gt 60 ]; then say "PostgreSQL did not come up; see /var/log/postgresql/"; exit 1; fi
  sleep 0.5
done

psql_admin() { su postgres -c "psql -p $PGPORT_T -v ON_ERROR_STOP=1 -Atq" >&2; }
psql_admin <<EOF
DO \$\$ BEGIN
  IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = '$PGUSER_T') THEN
    CREATE ROLE "$PGUSER_T" LOGIN PASSWORD '$PGPASS_T';
  ELSE
    ALTER ROLE "$PGUSER_T" LOGIN PASSWORD '$PGPASS_T';
  END IF;
END \$\$;
EOF
if [ -z "$(su postgres -c "psql -p $PGPORT_T -Atqc \"SELECT 1 FROM pg_database WHERE datname = '$PGDB_T'\"")" ]; then
  su postgres -c "createdb -p $PGPORT_T -O '$PGUSER_T' '$PGDB_T'" >&2
fi

say "ready"
echo "$URL"
