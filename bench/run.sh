#!/usr/bin/env bash
# tenant-index benchmark suite: ./tenant-index bench [flags]   (or bench/run.sh [flags]; --help lists them)
# Installs wrk, nginx and Redis (Debian) if missing, builds the bench module if it is out of date, then runs
# io.tenantindex.bench.BenchMain, which starts the local stack, colos, nginx, Redis and wrk as child processes
# on loopback and writes bench/results/latest.md and latest.json. Defaults: 1M tenants, < 15 min on 2 cores.
# Environment: BENCH_HEAP (the bench driver's own heap, default 1g), JAVA_HOME.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
BENCH="$ROOT/bench/target"
STAMP="$BENCH/.built"

for arg in "$@"; do
  if [[ "$arg" == "-h" || "$arg" == "--help" ]]; then NO_INSTALL=1; fi
done

if [[ -z "${NO_INSTALL:-}" ]]; then
  missing=()
  command -v wrk >/dev/null || missing+=(wrk)
  command -v nginx >/dev/null || [[ -x /usr/sbin/nginx ]] || missing+=(nginx-light)
  command -v redis-server >/dev/null || missing+=(redis-server)
  command -v redis-benchmark >/dev/null || missing+=(redis-tools)
  if ((${#missing[@]})); then
    echo "bench: installing ${missing[*]} (apt-get)" >&2
    SUDO=""; [[ $(id -u) -ne 0 ]] && SUDO="sudo"
    $SUDO apt-get install -y --no-install-recommends "${missing[@]}" >/dev/null 2>&1 \
      || { $SUDO apt-get update >/dev/null && $SUDO apt-get install -y --no-install-recommends "${missing[@]}" >/dev/null; }
  fi
  export PATH="$PATH:/usr/sbin"
fi

needs_build() {
  [[ -f "$STAMP" && -d "$BENCH/lib" ]] || return 0
  [[ -n "$(find "$ROOT" -path "$ROOT/.git" -prune -o -path '*/target' -prune -o -path "$ROOT/.tenant-index" -prune -o \
      \( -name '*.java' -o -name '*.avsc' -o -name 'pom.xml' -o -path '*/src/main/resources/*' \) -newer "$STAMP" -print -quit)" ]]
}
if needs_build; then
  command -v mvn >/dev/null || { echo "bench: Maven (mvn) is needed to build; apt-get install maven" >&2; exit 2; }
  echo "bench: building the bench module and what it needs (mvn -pl bench -am install -DskipTests) …" >&2
  (cd "$ROOT" && { mvn -B -q -ntp -o -pl bench -am install -DskipTests || mvn -B -q -ntp -pl bench -am install -DskipTests; }) >&2
  touch "$STAMP"
fi

JAVA="${JAVA_HOME:+$JAVA_HOME/bin/}java"
cd "$ROOT"
exec "$JAVA" "-Xmx${BENCH_HEAP:-1g}" -XX:+UseG1GC -cp "$BENCH/classes:$BENCH/lib/*" \
  io.tenantindex.bench.BenchMain --out "$ROOT/bench/results" "$@"
