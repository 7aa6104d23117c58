# Shared by the scripts: build the project when its sources changed, and print the runtime
# classpath of every part (written by the launcher module's build) or of the tools (stand-ins and
# evaluations, written by the tools module's build).

sluice_require_tools() {
  command -v java >/dev/null || { echo "sluice: java (JDK 17+) is required" >&2; exit 1; }
  command -v mvn >/dev/null || { echo "sluice: Maven (mvn) is required" >&2; exit 1; }
}

# Rebuilds only when a source or pom is newer than the last build.
sluice_build() {
  local root="$1"
  sluice_require_tools
  local stamp="$root/launcher/target/classpath.txt"
  if [[ -f "$stamp" && -f "$root/tools/target/classpath.txt" ]] \
      && [[ -z "$(find "$root" -path "$root/.git" -prune -o \
      \( -name '*.java' -o -name 'pom.xml' -o -name '*.xml' -o -name '*.json' \) \
      -path '*/src/*' -newer "$stamp" -print -quit 2>/dev/null)" ]] \
      && [[ -z "$(find "$root" -maxdepth 2 -name pom.xml -newer "$stamp" -print -quit)" ]]; then
    return 0
  fi
  echo "sluice: building (first run downloads dependencies; later runs reuse them)..." >&2
  # -DskipTests, not -Dmaven.test.skip: tests are compiled (not run) so that the auth module's
  # test-jar, which other modules' tests depend on, exists for the reactor to resolve.
  mvn -q -B -f "$root/pom.xml" -DskipTests -Dspotless.check.skip=true package >&2
  touch "$stamp"
}

sluice_classpath() {
  local root="$1"
  printf '%s:%s' "$root/launcher/target/classes" "$(cat "$root/launcher/target/classpath.txt")"
}

# Never part of a deployed gateway, so not on the launcher's classpath.
sluice_tools_classpath() {
  local root="$1"
  printf '%s:%s' "$root/tools/target/classes" "$(cat "$root/tools/target/classpath.txt")"
}
