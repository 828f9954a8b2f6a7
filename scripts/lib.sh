# Shared by the scripts of the README. Sourced, not run.
# Finds a JDK >= 22 (JAVA_HOME if it is one, else Temurin 25, else any /usr/lib/jvm/* >= 22),
# exports JAVA_HOME and PATH for it, and sets MAVEN_OPTS so Maven's own libraries stay quiet.

MAPCASK_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"

jdk_major() { # prints the feature version of the JDK at $1, or nothing
  local rel="$1/release"
  [ -x "$1/bin/java" ] || return 0
  if [ -f "$rel" ]; then
    sed -n 's/^JAVA_VERSION="\([0-9]*\).*/\1/p' "$rel"
  else
    "$1/bin/java" -version 2>&1 | sed -n 's/.*version "\([0-9]*\).*/\1/p' | head -n 1
  fi
}

find_jdk() {
  local candidates=()
  [ -n "${JAVA_HOME:-}" ] && candidates+=("$JAVA_HOME")
  candidates+=(/usr/lib/jvm/temurin-25-jdk-amd64)
  local d
  for d in /usr/lib/jvm/*; do candidates+=("$d"); done
  for d in "${candidates[@]}"; do
    local v
    v="$(jdk_major "$d")"
    if [ -n "$v" ] && [ "$v" -ge 22 ]; then
      echo "$d"
      return 0
    fi
  done
  return 1
}

if ! MAPCASK_JDK="$(find_jdk)"; then
  echo "error: Mapcask needs a JDK >= 22 (it uses the FFM API), and none was found." >&2
  echo "       Looked at JAVA_HOME='${JAVA_HOME:-}', /usr/lib/jvm/temurin-25-jdk-amd64 and /usr/lib/jvm/*." >&2
  echo "       Install one (e.g. Temurin 25: apt-get install temurin-25-jdk) or set JAVA_HOME to it." >&2
  exit 2
fi
export JAVA_HOME="$MAPCASK_JDK"
export PATH="$JAVA_HOME/bin:$PATH"
export MAVEN_OPTS="--sun-misc-unsafe-memory-access=allow ${MAVEN_OPTS:-}"

if ! command -v mvn >/dev/null 2>&1; then
  echo "error: Maven (mvn) is not on PATH; install it (apt-get install maven)." >&2
  exit 2
fi
