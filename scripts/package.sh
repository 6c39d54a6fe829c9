#!/usr/bin/env bash
# Release artifacts: one tarball per PostgreSQL major with the library, the control file and
# every SQL script (the install script pgrx generates and each upgrade script), META.json, the
# README and an install script. Usage:
#   scripts/package.sh [15|16|17|18 ...]   build (cargo pgrx package) and pack; default: 15 18
#   scripts/package.sh --check             check META.json (PGXN meta-spec 1.0.0) against the
#                                          crate, the control file and the upgrade scripts
# Tarballs land in target/dist/pg_mining-<version>-pg<major>-<arch>-linux.tar.gz. 16 and 17 are
# built against the registry wheels' headers (scripts/postgres.sh) and are untested.
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$HOME/.cargo/bin:$PATH"
VERSION="$(sed -n 's/^version = "\(.*\)"/\1/p' Cargo.toml | head -1)"

check_meta() {
  python3 - "$VERSION" <<'PY'
import json, pathlib, re, sys

version = sys.argv[1]
problems = []
try:
    meta = json.loads(pathlib.Path("META.json").read_text())
except (OSError, ValueError) as e:
    sys.exit(f"META.json: {e}")
semver = re.compile(r"^(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)(-[0-9A-Za-z-]+(\.[0-9A-Za-z-]+)*)?$")
for key in ("name", "abstract", "version", "maintainer", "license", "provides", "meta-spec"):
    if key not in meta:
        problems.append(f"the required key {key!r} is missing")
if meta.get("name") != "pg_mining":
    problems.append(f"name is {meta.get('name')!r}, not 'pg_mining'")
if not semver.match(str(meta.get("version", ""))):
    problems.append(f"version {meta.get('version')!r} is no SemVer")
if meta.get("version") != version:
    problems.append(f"version {meta.get('version')!r} is not the crate's {version!r}")
if meta.get("meta-spec", {}).get("version") != "1.0.0":
    problems.append("meta-spec.version must be 1.0.0")
licenses = {"agpl_3", "apache_1_1", "apache_2_0", "artistic_1", "artistic_2", "bsd", "freebsd",
            "gfdl_1_2", "gfdl_1_3", "gpl_1", "gpl_2", "gpl_3", "lgpl_2_1", "lgpl_3_0", "mit",
            "mozilla_1_0", "mozilla_1_1", "openssl", "perl_5", "postgresql", "qpl_1_0", "ssleay",
            "sun", "zlib", "open_source", "restricted", "unrestricted", "unknown"}
lic = meta.get("license")
if not (isinstance(lic, str) and lic in licenses or isinstance(lic, dict) and lic):
    problems.append(f"license {lic!r} is no PGXN license key")
cargo = pathlib.Path("Cargo.toml").read_text()
m = re.search(r'^license = "([^"]+)"', cargo, re.M)
if m and isinstance(lic, str) and lic != m.group(1).lower().replace("-", "_").replace(".", "_"):
    problems.append(f"license {lic!r} differs from Cargo.toml's {m.group(1)!r}")
provides = meta.get("provides", {})
ext = provides.get("pg_mining")
if not isinstance(ext, dict):
    problems.append("provides has no pg_mining")
else:
    for key in ("file", "version", "abstract"):
        if key not in ext:
            problems.append(f"provides.pg_mining lacks {key!r}")
    if ext.get("version") != version:
        problems.append(f"provides.pg_mining.version {ext.get('version')!r} is not {version!r}")
    for key in ("file", "docfile"):
        if key in ext and not pathlib.Path(ext[key]).is_file():
            problems.append(f"provides.pg_mining.{key} {ext[key]!r} is no file")
control = pathlib.Path("pg_mining.control").read_text()
if "default_version = '@CARGO_VERSION@'" not in control and f"default_version = '{version}'" not in control:
    problems.append("pg_mining.control's default_version is neither the crate's nor @CARGO_VERSION@")
req = meta.get("prereqs", {}).get("runtime", {}).get("requires", {})
if not semver.match(str(req.get("PostgreSQL", ""))):
    problems.append("prereqs.runtime.requires.PostgreSQL must be a SemVer version")
for name, res in meta.get("resources", {}).items():
    url = res.get("url") if isinstance(res, dict) else res
    if not (isinstance(url, str) and re.match(r"^(https?|mailto|git)[:]", url)):
        problems.append(f"resources.{name} is no URL")
# The upgrade scripts chain from 0.1.0 to this version.
have = {p.name for p in pathlib.Path("sql").glob("pg_mining--*--*.sql")}
steps = sorted(have)
at = "0.1.0"
while True:
    nxt = [n for n in steps if n.startswith(f"pg_mining--{at}--")]
    if not nxt:
        break
    at = nxt[0][len(f"pg_mining--{at}--"):-4]
if at != version:
    problems.append(f"the upgrade scripts in sql/ reach {at}, not {version}")
if problems:
    print("META.json:", *problems, sep="\n  ")
    sys.exit(1)
print(f"META.json is a valid PGXN 1.0.0 document for pg_mining {version} (upgrade scripts 0.1.0 -> {version})")
PY
}

if [ "${1:-}" = "--check" ]; then
  check_meta
  exit
fi
check_meta
majors=("$@")
[ ${#majors[@]} -gt 0 ] || majors=(15 18)
arch="$(uname -m)"
mkdir -p target/dist
for major in "${majors[@]}"; do
  case "$major" in
    15) pg_config=/usr/lib/postgresql/15/bin/pg_config ;;
    16|17|18) pg_config="$(bash scripts/postgres.sh "$major")" ;;
    *) echo "package.sh: no PostgreSQL $major" >&2; exit 2 ;;
  esac
  stage="target/package/pg$major"
  rm -rf "$stage"
  mkdir -p target/package
  if ! cargo pgrx package --pg-config "$pg_config" --out-dir "$stage" >/dev/null 2>"$stage.log"; then
    tail -30 "$stage.log" >&2
    exit 1
  fi
  name="pg_mining-$VERSION-pg$major"
  root="target/package/$name"
  rm -rf "$root" && mkdir -p "$root/lib" "$root/extension"
  cp "$stage$("$pg_config" --pkglibdir)/pg_mining.so" "$root/lib/"
  cp "$stage$("$pg_config" --sharedir)"/extension/pg_mining* "$root/extension/"
  cp META.json README.md "$root/"
  cat > "$root/install.sh" <<INSTALL
#!/bin/sh
# Installs pg_mining $VERSION for PostgreSQL $major: sh install.sh [path/to/pg_config]
set -eu
cd "\$(dirname "\$0")"
PG_CONFIG="\${1:-pg_config}"
case "\$("\$PG_CONFIG" --version)" in
  "PostgreSQL $major"*) ;;
  *) echo "this package is for PostgreSQL $major, not \$("\$PG_CONFIG" --version)" >&2; exit 1 ;;
esac
install -m 755 lib/pg_mining.so "\$("\$PG_CONFIG" --pkglibdir)/"
install -m 644 extension/* "\$("\$PG_CONFIG" --sharedir)/extension/"
echo "installed; then in a database: CREATE EXTENSION pg_mining;"
INSTALL
  chmod 755 "$root/install.sh"
  tarball="target/dist/$name-$arch-linux.tar.gz"
  tar -C target/package -czf "$tarball" "$name"
  # What a release must carry: the library, the control file, the install script of this
  # version and every upgrade script in sql/.
  listing="$(tar -tzf "$tarball")"
  for want in "lib/pg_mining.so" "extension/pg_mining.control" "extension/pg_mining--$VERSION.sql" \
              $(cd sql && ls pg_mining--*--*.sql | sed 's|^|extension/|'); do
    grep -qx "$name/$want" <<<"$listing" || { echo "package.sh: $tarball lacks $want" >&2; exit 1; }
  done
  echo "$tarball ($(du -k "$tarball" | cut -f1) KiB, $(wc -l <<<"$listing") entries)"
done
