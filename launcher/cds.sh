# The parts of `./quetzal up` that make its JVMs start fast and measure what they hold. Sourced by
# ./quetzal (which sets ROOT); a test sources it alone (devstack/src/test/.../LauncherUpIT.java).
#
# Class-data sharing: each JVM of the stack keeps an AppCDS archive of the classes it loaded, in
# target/cds/<jvm>.jsa (beside the build, so every QUETZAL_HOME shares it and './mvnw clean' removes
# it), and maps it on the next start instead of parsing and verifying those classes again. An archive
# is valid for one build: its .sig lists the JVM, the options and every classpath entry's size and
# mtime, and any difference makes the JVM write a new one when it exits (Ctrl-C). It writes to
# <jvm>.jsa.part, which becomes the archive only if the JVM exited by itself and a JVM with -Xshare:on
# maps it: a dump cut short by kill -9 would crash the JVM that maps it. A stale archive (a jar changed
# under it) is refused by the JVM with a warning; no archive only means a slower start.
# The build makes them (cds_ensure): after './quetzal build', or the build 'up' runs, a training start
# of the stack writes each JVM's archive by the same rules, so the first 'up' after a build maps them.
# QUETZAL_CDS=off turns all of it off.

CDS_DIR="$ROOT/target/cds"

# cds_signature CLASSPATH JVM_OPTION... : what an archive is valid for.
cds_signature() {
  local cp="$1" java_bin entries
  shift
  java_bin="$(readlink -f "$(command -v java)")"
  printf 'options %s\n' "$*"
  IFS=: read -r -a entries <<<"$cp"
  stat -L -c '%n %Y %s' "$java_bin" "$(dirname "$java_bin")/../lib/modules" "${entries[@]}" 2>&1
}

# cds_current NAME CLASSPATH JVM_OPTION... : whether that JVM has an archive valid for this build.
cds_current() {
  local name="$1" cp="$2"
  shift 2
  [[ -f "$CDS_DIR/$name.jsa" && -f "$CDS_DIR/$name.sig" \
    && "$(<"$CDS_DIR/$name.sig")" == "$(cds_signature "$cp" "$@")" ]]
}

# cds_option NAME CLASSPATH JVM_OPTION... : the options for that JVM: map its archive when one is valid
# for this build, otherwise write one at exit (cds_promote keeps it). Nothing when QUETZAL_CDS=off.
cds_option() {
  local name="$1" cp="$2" sig
  shift 2
  [[ "${QUETZAL_CDS:-on}" == off ]] && return 0
  mkdir -p "$CDS_DIR"
  if cds_current "$name" "$cp" "$@"; then
    echo "-XX:SharedArchiveFile=$CDS_DIR/$name.jsa"
  else
    rm -f "$CDS_DIR/$name.jsa" "$CDS_DIR/$name.sig" "$CDS_DIR/$name.jsa.part"
    cds_signature "$cp" "$@" >"$CDS_DIR/$name.sig.part"
    # The dump warns about every class it skips; keep only its errors.
    echo "-XX:ArchiveClassesAtExit=$CDS_DIR/$name.jsa.part"
    echo "-Xlog:cds=error"
  fi
}

# cds_promote NAME STATUS CLASSPATH : after that JVM exited with STATUS, keep the archive it wrote if it
# exited by itself (0, or on SIGINT/SIGTERM: 130, 143) and a JVM maps it; drop it otherwise.
cds_promote() {
  local name="$1" status="$2" cp="$3" part="$CDS_DIR/$1.jsa.part"
  if [[ -s "$part" && "$status" =~ ^(0|130|143)$ ]] \
      && java -Xshare:on "-XX:SharedArchiveFile=$part" -XX:ErrorFile=/dev/null -XX:-CreateCoredumpOnCrash \
        -cp "$cp" -version >/dev/null 2>&1; then
    mv -f "$part" "$CDS_DIR/$name.jsa"
    mv -f "$CDS_DIR/$name.sig.part" "$CDS_DIR/$name.sig"
  else
    rm -f "$part" "$CDS_DIR/$name.sig.part"
  fi
}

# cds_pending NAME : whether that JVM is writing an archive this run (it needs longer to stop).
cds_pending() {
  [[ -f "$CDS_DIR/$1.sig.part" ]]
}

# cds_missing : the JVMs that cds_jvms lists (the caller's: one "NAME CLASSPATH JVM_OPTION..." a line)
# without an archive valid for this build, one a line.
cds_missing() {
  local name cp rest opts
  while read -r name cp rest; do
    read -r -a opts <<<"$rest"
    cds_current "$name" "$cp" "${opts[@]}" || echo "$name"
  done < <(cds_jvms)
}

# cds_ensure TRAINING_COMMAND... : when a JVM that cds_jvms lists has no archive valid for this build,
# runs the training command (it starts those JVMs and lets them exit by themselves, so each writes its
# archive), then fails naming every JVM still without one. Nothing to do when QUETZAL_CDS=off.
cds_ensure() {
  [[ "${QUETZAL_CDS:-on}" == off ]] && return 0
  local missing started=$SECONDS
  missing="$(cds_missing)"
  [[ -n "$missing" ]] || return 0
  echo "quetzal: making the class-data archives for $(echo $missing) (a training start; QUETZAL_CDS=off skips it)…"
  "$@" || true # judged by what it left behind, below
  missing="$(cds_missing)"
  if [[ -n "$missing" ]]; then
    echo "quetzal: no class-data archive for $(echo $missing); the first './quetzal up' writes it when it stops." >&2
    return 1
  fi
  echo "quetzal: class-data archives made in $((SECONDS - started)) s."
}

# stack_rss PID... : resident memory of these processes and all their descendants (redis-server is
# the devstack's child), in MiB, from /proc/<pid>/status VmRSS.
stack_rss() {
  local kb=0 pid rss
  for pid in $(process_tree "$@"); do
    rss="$(awk '/^VmRSS:/ {print $2}' "/proc/$pid/status" 2>/dev/null)"
    kb=$((kb + ${rss:-0}))
  done
  echo $((kb / 1024))
}

# process_tree PID... : these PIDs and their descendants, one a line.
process_tree() {
  local pid
  for pid in "$@"; do
    [[ -d "/proc/$pid" ]] || continue
    echo "$pid"
    process_tree $(pgrep -P "$pid")
  done
}
