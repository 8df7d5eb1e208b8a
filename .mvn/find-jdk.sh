# Sourced (POSIX sh) by ./mvnw and ./outrigger: find a JDK >= 21 so that the README's two commands
# work on a machine whose default `java` is older (e.g. 17 on PATH, 25 installed beside it).
#
#   find_jdk            sets OUTRIGGER_JDK (a JDK home) and OUTRIGGER_JDK_MAJOR; returns 1 if none found
#
# Order: $JAVA_HOME, then the `java` on PATH, when either is >= 21; otherwise the newest JDK >= 21
# in the usual install places. A JDK (bin/javac), not a JRE, because both callers may build.
# The major version comes from the JDK's `release` file (no JVM started: this runs before every
# start-up); only a JDK without one is asked through `java -XshowSettings`.

OUTRIGGER_MIN_JDK=21

# jdk_major HOME: the feature version of the JDK at HOME, or 0
jdk_major() {
  if [ -r "$1/release" ]; then
    _v=$(sed -n 's/^JAVA_VERSION="\([^"]*\)".*/\1/p' "$1/release")
  else
    _v=$("$1/bin/java" -XshowSettings:properties -version 2>&1 | sed -n 's/^ *java\.specification\.version = //p')
  fi
  case "$_v" in
  1.*) _v=${_v#1.} ;;
  esac
  _v=${_v%%[!0-9]*}
  echo "${_v:-0}"
}

# usable_jdk HOME: HOME is a JDK >= 21; sets _major
usable_jdk() {
  [ -n "$1" ] && [ -x "$1/bin/java" ] && [ -x "$1/bin/javac" ] || return 1
  _major=$(jdk_major "$1")
  [ "$_major" -ge "$OUTRIGGER_MIN_JDK" ]
}

find_jdk() {
  OUTRIGGER_JDK='' OUTRIGGER_JDK_MAJOR=0
  if usable_jdk "${JAVA_HOME:-}"; then
    OUTRIGGER_JDK=$JAVA_HOME OUTRIGGER_JDK_MAJOR=$_major
    return 0
  fi
  _java=$(command -v java 2>/dev/null) || _java=''
  if [ -n "$_java" ]; then
    # /usr/bin/java -> /etc/alternatives/java -> <home>/bin/java
    _real=$(readlink -f "$_java" 2>/dev/null) || _real=$_java
    _home=$(dirname "$(dirname "$_real")")
    if [ ! -r "$_home/release" ]; then  # a stub launcher (macOS /usr/bin/java): ask the JVM
      _home=$("$_java" -XshowSettings:properties -version 2>&1 | sed -n 's/^ *java\.home = //p')
    fi
    if usable_jdk "$_home"; then
      OUTRIGGER_JDK=$_home OUTRIGGER_JDK_MAJOR=$_major
      return 0
    fi
  fi
  # The newest JDK >= 21 among the usual install places (globbing on: mvnw runs with set -f).
  case $- in *f*) _noglob=1 ;; *) _noglob= ;; esac
  set +f
  for _home in /usr/lib/jvm/* /Library/Java/JavaVirtualMachines/*/Contents/Home \
    "${HOME:-/nonexistent}"/.sdkman/candidates/java/* /opt/java/* /opt/jdk* /usr/java/*; do
    if usable_jdk "$_home" && [ "$_major" -gt "$OUTRIGGER_JDK_MAJOR" ]; then
      OUTRIGGER_JDK=$_home OUTRIGGER_JDK_MAJOR=$_major
    fi
  done
  [ -z "$_noglob" ] || set -f
  [ -n "$OUTRIGGER_JDK" ]
}
