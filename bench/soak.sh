#!/usr/bin/env bash
# The soak: lookups in three colos at half the rate this machine serves, with concurrent
# writes, for SECONDS (default 600). Same test as CI's 20-second SoakIT, longer. Writes
# bench/results/soak.md (heap after GC, open fds and threads sampled every SECONDS/10).
#   bench/soak.sh [SECONDS]      (SOAK_SETTINGS=key=value,… adds settings to the stack, e.g. sink.cache.max.bytes=0)
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
SECONDS_TO_RUN="${1:-600}"
cd "$ROOT"
mvn -B -q -ntp -DskipTests install -pl launcher -am
mvn -B -ntp -pl launcher verify -Dtest=NONE -Dsurefire.failIfNoSpecifiedTests=false \
  -Dit.test=SoakIT -Dit.argLine="-Xmx2g -XX:+UseG1GC -Dsoak.seconds=$SECONDS_TO_RUN -Dsoak.settings=${SOAK_SETTINGS:-}"
mkdir -p bench/results
cp launcher/target/soak-report.md bench/results/soak.md
echo "soak: report in bench/results/soak.md"
