#!/usr/bin/env bash
# Client checks: the same queries through psql, pgjdbc (Java) and psqlODBC (pyodbc) must print
# the same rows. Needs the scenario database (run after the pg_regress tests).
set -euo pipefail
DB="${1:-pg_mining_regress}"
source "$(dirname "$0")/../../scripts/pg_env.sh"
cd "$(dirname "$0")"
PORT="$PG_MINING_PORT"
SOCK="$PG_MINING_HOME"
out="$SOCK/clients"
rm -rf "$out" && mkdir -p "$out"

"$BIN/psql" -X -q -h "$SOCK" -p "$PORT" -U postgres -d "$DB" -v ON_ERROR_STOP=1 -f setup.sql >/dev/null
while IFS= read -r q; do
  [ -n "$q" ] && "$BIN/psql" -X -q -A -t -F $'\t' -h "$SOCK" -p "$PORT" -U postgres -d "$DB" -c "$q"
done < queries.sql > "$out/psql.txt"

javac -d "$out" -cp /usr/share/java/postgresql.jar JdbcCheck.java
java -cp "/usr/share/java/postgresql.jar:$out" JdbcCheck "jdbc:postgresql://127.0.0.1:$PORT/$DB" queries.sql > "$out/jdbc.txt"
/usr/bin/python3 odbc_check.py "DRIVER={PostgreSQL Unicode};SERVER=127.0.0.1;PORT=$PORT;DATABASE=$DB;UID=postgres" queries.sql > "$out/odbc.txt"

status=0
for client in jdbc odbc; do
  if diff -u "$out/psql.txt" "$out/$client.txt"; then
    echo "$client agrees with psql ($(wc -l < "$out/psql.txt") rows)"
  else
    echo "$client differs from psql"
    status=1
  fi
done
exit "$status"
