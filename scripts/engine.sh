#!/usr/bin/env bash
# A real Docker engine and real registries for the test suite, on a Debian bookworm machine
# (root; no Docker Hub; nothing can be pulled). Idempotent, and fast when everything is up.
#
#   engine.sh up                          install what is missing, start dockerd, build fixtures
#   engine.sh fixtures                    build adf-fixture/busybox:1 if missing or outdated
#   engine.sh registry PORT [--auth U:P]  start a registry on 127.0.0.1:PORT, print its pid
#   engine.sh registry-stop PORT [--purge]  stop it (with --purge: delete its storage too)
#   engine.sh status                      what is up (exit 0 if dockerd and the fixture are)
#
# Facts about the engines on these machines:
# - dockerd runs with --iptables=false --bridge=none --storage-driver=overlay2, log in
#   /tmp/adf-dockerd.log. There is no bridge network: BuildKit builds with RUN steps need
#   `--network host` (or `none`), else "network bridge not found"; the legacy builder runs RUN
#   steps without it (loopback only, like `docker run` without --network).
# - Two clients may exist: /usr/bin/docker (Debian 20.10, BuildKit with DOCKER_BUILDKIT=1) and
#   /usr/local/bin/docker (28.x, no buildx, legacy builder only). This script uses /usr/bin/docker.
# - adf-fixture/busybox:1 is pure busybox (tests/fixtures/engine/busybox.Dockerfile): /bin/sh is
#   busybox ash, there is no /bin/bash, no libc, no package manager.
# - Registry N keeps everything under /tmp/adf-registry-N (config.yml, data/, htpasswd,
#   registry.log, registry.pid); 127.0.0.0/8 registries are "insecure" by default in dockerd.
# Only loopback addresses are contacted (besides apt's own configured sources when installing).
# Status lines go to stderr; stdout carries only requested values (the registry pid).
set -euo pipefail

DOCKER=/usr/bin/docker
DOCKERD=/usr/sbin/dockerd
DOCKERD_LOG=/tmp/adf-dockerd.log
DOCKERD_ARGS=(--iptables=false --bridge=none --storage-driver=overlay2)
ENGINE_LOCK=/tmp/adf-engine.lock
APT_LOG=/tmp/adf-apt.log
FIXTURE_IMAGE=adf-fixture/busybox:1
FIXTURE_LABEL=org.adf.fixture.rev
SCRIPT_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
FIXTURE_DOCKERFILE=$SCRIPT_DIR/../tests/fixtures/engine/busybox.Dockerfile

export PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin:$PATH
export LC_ALL=C
# The default daemon on unix:///var/run/docker.sock only; never a remote one.
unset DOCKER_HOST DOCKER_CONTEXT DOCKER_TLS_VERIFY DOCKER_CERT_PATH

T0=$(date +%s.%N)
say() { printf 'engine: %s\n' "$*" >&2; }
step() { # a status line with the time since the script started
    printf 'engine: %-44s %ss\n' "$*" "$(awk -v a="$T0" -v b="$(date +%s.%N)" 'BEGIN { printf "%.2f", b - a }')" >&2
}
die() { printf 'engine: ERROR: %s\n' "$*" >&2; exit 1; }

# lock FILE SECONDS: hold an exclusive flock on FILE (fd 9) until the script exits.
# Daemons started from here must not inherit fd 9 (see spawn), or they would hold it forever;
# short-lived children close it too (`9>&-`), for good measure.
lock() {
    exec 9>"$1"
    if ! flock -n 9; then
        say "waiting for another engine.sh ($1)"
        flock -w "$2" 9 || die "could not lock $1 within $2 s"
    fi
}

# spawn LOG CMD...: start CMD as a daemon in its own session, stdin /dev/null, output appended
# to LOG, and no other inherited descriptor (the lock on fd 9, a CI runner's pipes, ...): a
# caller that waits for EOF on its pipes must not wait for dockerd. Sets SPAWNED to its pid
# (setsid does not fork here: a background job of a non-interactive shell leads no group).
SPAWNED=
spawn() {
    local log=$1
    shift
    (
        exec </dev/null >>"$log" 2>&1
        for fd in /proc/self/fd/*; do
            fd=${fd##*/}
            if ((fd > 2)); then eval "exec $fd>&-" 2>/dev/null || true; fi
        done
        exec setsid "$@"
    ) &
    SPAWNED=$!
}

# alive PID: PID exists and is no zombie. `kill -0` is not enough: a daemon that died stays a
# zombie until its parent reaps it (this script, for the ones it just spawned; pid 1 otherwise,
# which on some machines takes seconds).
alive() {
    local state
    state=$(awk '/^State:/ { print $2 }' "/proc/$1/status" 2>/dev/null || true)
    [[ -n $state && $state != Z ]]
}

log_tail() { # FILE
    if [[ -s $1 ]]; then
        printf -- '--- last lines of %s ---\n' "$1" >&2
        tail -n 25 "$1" >&2
        printf -- '---\n' >&2
    fi
}

# ---------------------------------------------------------------------------------------------
# packages

pkg_installed() { [[ $(dpkg-query -W -f='${Status}' "$1" 2>/dev/null || true) == "install ok installed" ]]; }

missing_packages() {
    local -a miss=()
    [[ -x /usr/bin/docker && -x $DOCKERD ]] || miss+=(docker.io)
    command -v docker-registry >/dev/null 2>&1 || miss+=(docker-registry)
    pkg_installed busybox-static || miss+=(busybox-static)
    command -v htpasswd >/dev/null 2>&1 || miss+=(apache2-utils)
    command -v zstd >/dev/null 2>&1 || miss+=(zstd)
    echo "${miss[@]}"
}

apt_get() { # waits up to 300 s for the dpkg lock (another apt-get may be running)
    DEBIAN_FRONTEND=noninteractive apt-get -q -y \
        -o DPkg::Lock::Timeout=300 \
        -o Dpkg::Options::=--force-confdef -o Dpkg::Options::=--force-confold \
        "$@" >>"$APT_LOG" 2>&1
}

apt_update() {
    # DPkg::Lock::Timeout covers the dpkg lock; `update` also takes the lists lock, which a
    # concurrent `apt-get update` holds: retry on that for up to 300 s as well.
    local deadline=$((SECONDS + 300))
    until apt_get update; do
        if ((SECONDS < deadline)) && tail -n 5 "$APT_LOG" | grep -q 'Could not get lock'; then
            sleep 3
        else
            log_tail "$APT_LOG"
            die "apt-get update failed (log: $APT_LOG)"
        fi
    done
}

ensure_packages() {
    local miss
    miss=$(missing_packages)
    if [[ -z $miss ]]; then
        step "packages present"
        return
    fi
    say "installing: $miss (log: $APT_LOG)"
    : >"$APT_LOG"
    # No service may start from a maintainer script: dockerd is started below, with our flags.
    local made_policy=
    if [[ ! -e /usr/sbin/policy-rc.d ]]; then
        printf '#!/bin/sh\nexit 101\n' >/usr/sbin/policy-rc.d
        chmod +x /usr/sbin/policy-rc.d
        made_policy=1
        trap 'rm -f /usr/sbin/policy-rc.d' EXIT
    fi
    local ok=1
    apt_update
    # shellcheck disable=SC2086 # $miss is a word list
    apt_get install --no-install-recommends $miss || ok=
    if [[ -n $made_policy ]]; then
        rm -f /usr/sbin/policy-rc.d
        trap - EXIT
    fi
    if [[ -z $ok ]]; then
        log_tail "$APT_LOG"
        die "apt-get install $miss failed (log: $APT_LOG)"
    fi
    miss=$(missing_packages)
    [[ -z $miss ]] || die "still missing after apt-get install: $miss"
    step "packages installed"
}

# ---------------------------------------------------------------------------------------------
# dockerd

docker_up() { timeout 10 "$DOCKER" version --format '{{.Server.Version}}' >/dev/null 2>&1; }

dockerd_running_pid() { # the pid of a live dockerd from its pid file, if any
    local pid
    pid=$(cat /var/run/docker.pid 2>/dev/null || true)
    [[ $pid =~ ^[0-9]+$ ]] && alive "$pid" && [[ $(cat "/proc/$pid/comm" 2>/dev/null || true) == dockerd ]] && echo "$pid"
    return 0
}

ensure_dockerd() {
    if docker_up; then
        step "dockerd answers"
        return
    fi
    local pid
    pid=$(dockerd_running_pid)
    if [[ -n $pid ]]; then
        say "dockerd (pid $pid) runs but does not answer yet: waiting"
    else
        say "starting dockerd ${DOCKERD_ARGS[*]} (log: $DOCKERD_LOG)"
        printf '\n==== %s engine.sh starts dockerd\n' "$(date -Is)" >>"$DOCKERD_LOG"
        spawn "$DOCKERD_LOG" "$DOCKERD" "${DOCKERD_ARGS[@]}"
        pid=$SPAWNED
    fi
    local deadline=$((SECONDS + 60))
    until docker_up; do
        if ! alive "$pid"; then
            log_tail "$DOCKERD_LOG"
            die "dockerd (pid $pid) exited (log: $DOCKERD_LOG)"
        fi
        if ((SECONDS >= deadline)); then
            log_tail "$DOCKERD_LOG"
            die "dockerd (pid $pid) did not answer on /var/run/docker.sock within 60 s (log: $DOCKERD_LOG)"
        fi
        sleep 0.2
    done
    step "dockerd up (pid $pid)"
}

# ---------------------------------------------------------------------------------------------
# fixtures

fixture_rev() { sha256sum "$FIXTURE_DOCKERFILE" | cut -c1-16; }

fixture_current() {
    local have
    have=$("$DOCKER" image inspect --format "{{ index .Config.Labels \"$FIXTURE_LABEL\" }}" \
        "$FIXTURE_IMAGE" 2>/dev/null || true)
    [[ $have == "$(fixture_rev)" ]]
}

busybox_binary() {
    local b
    for b in /bin/busybox /usr/bin/busybox; do
        [[ -x $b ]] && { echo "$b"; return; }
    done
    die "busybox-static is installed but no /bin/busybox was found"
}

ensure_fixtures() {
    [[ -f $FIXTURE_DOCKERFILE ]] || die "missing $FIXTURE_DOCKERFILE"
    if fixture_current; then
        step "fixture $FIXTURE_IMAGE present"
        return
    fi
    local ctx buildlog old_id new_id
    old_id=$("$DOCKER" image inspect --format '{{.Id}}' "$FIXTURE_IMAGE" 2>/dev/null || true)
    ctx=$(mktemp -d /tmp/adf-fixture.XXXXXX)
    buildlog=$ctx.log
    cp "$(busybox_binary)" "$ctx/busybox"
    cp "$FIXTURE_DOCKERFILE" "$ctx/Dockerfile"
    if ! DOCKER_BUILDKIT=1 "$DOCKER" build --network host --progress plain \
        --label "$FIXTURE_LABEL=$(fixture_rev)" -t "$FIXTURE_IMAGE" "$ctx" \
        </dev/null >"$buildlog" 2>&1 9>&-; then
        log_tail "$buildlog"
        rm -rf "$ctx"
        die "building $FIXTURE_IMAGE failed (log: $buildlog)"
    fi
    rm -rf "$ctx" "$buildlog"
    # The outdated fixture, now untagged: drop it unless something else still uses it.
    new_id=$("$DOCKER" image inspect --format '{{.Id}}' "$FIXTURE_IMAGE")
    if [[ -n $old_id && $old_id != "$new_id" ]]; then
        "$DOCKER" image rm "$old_id" >/dev/null 2>&1 9>&- || true
    fi
    # Smoke test of the runtime too: a container with the fixture's /bin/sh.
    local out
    out=$("$DOCKER" run --rm --network none "$FIXTURE_IMAGE" sh -c 'test -x /bin/sh && test -d /tmp && echo ok' 2>&1 9>&-) ||
        die "running $FIXTURE_IMAGE failed: $out"
    [[ $out == ok ]] || die "unexpected output from $FIXTURE_IMAGE: $out"
    step "fixture $FIXTURE_IMAGE built"
}

# ---------------------------------------------------------------------------------------------
# registries

check_port() {
    if ! [[ $1 =~ ^[0-9]+$ ]] || (($1 < 1 || $1 > 65535)); then die "bad port: $1"; fi
}

# v2_status PORT [HEADER]: HTTP status of GET http://127.0.0.1:PORT/v2/, or nothing.
# Plain bash /dev/tcp: no curl needed, and no *_proxy variable can send it anywhere else.
v2_status() {
    # shellcheck disable=SC2016 # expanded by the inner bash
    timeout 3 bash -c '
        exec 3<>"/dev/tcp/127.0.0.1/$0" || exit 1
        printf "GET /v2/ HTTP/1.0\r\nHost: 127.0.0.1:%s\r\n" "$0" >&3
        if [[ -n $1 ]]; then printf "%s\r\n" "$1" >&3; fi
        printf "\r\n" >&3
        read -r _ code _ <&3 && printf "%s" "$code"' "$1" "${2:-}" 2>/dev/null || true
}

basic_auth_header() { printf 'Authorization: Basic %s' "$(printf '%s' "$1" | base64 -w0)"; }

registry_dir() { echo "/tmp/adf-registry-$1"; }

is_registry_of() { # PID DIR: is PID `docker-registry serve DIR/config.yml`?
    local -a argv=()
    mapfile -d '' -t argv 2>/dev/null <"/proc/$1/cmdline" || return 1
    ((${#argv[@]} >= 3)) && [[ ${argv[0]##*/} == docker-registry && ${argv[1]} == serve && ${argv[2]} == "$2/config.yml" ]]
}

registry_pid() { # PORT: pid of our registry on PORT, if alive
    local dir pid p
    dir=$(registry_dir "$1")
    pid=$(cat "$dir/registry.pid" 2>/dev/null || true)
    if [[ $pid =~ ^[0-9]+$ ]] && is_registry_of "$pid" "$dir"; then
        echo "$pid"
        return 0
    fi
    # No (valid) pid file: look for the process by its config path.
    for p in /proc/[0-9]*; do
        if is_registry_of "${p#/proc/}" "$dir"; then
            echo "${p#/proc/}"
            return 0
        fi
    done
    return 0
}

cmd_registry() {
    local port=${1:-} auth=
    [[ -n $port ]] || die "usage: engine.sh registry PORT [--auth USER:PASS]"
    check_port "$port"
    shift
    while (($#)); do
        case $1 in
            --auth) auth=${2:-}; shift 2 || die "--auth needs USER:PASS" ;;
            --auth=*) auth=${1#--auth=}; shift ;;
            *) die "unknown option for registry: $1" ;;
        esac
    done
    if [[ -n $auth && $auth != *:* ]]; then die "--auth wants USER:PASS"; fi
    command -v docker-registry >/dev/null 2>&1 || die "docker-registry is not installed: run engine.sh up"
    [[ -z $auth ]] || command -v htpasswd >/dev/null 2>&1 || die "htpasswd is not installed: run engine.sh up"

    local dir
    dir=$(registry_dir "$port")
    mkdir -p "$dir"
    lock "$dir.lock" 60

    local code pid
    code=$(v2_status "$port")
    if [[ -n $code ]]; then
        # Something answers already: accept it only if it matches what was asked for.
        if [[ -z $auth && $code != 200 ]]; then
            die "127.0.0.1:$port answers /v2/ with $code (wanted a registry without auth)"
        fi
        if [[ -n $auth ]]; then
            [[ $code == 401 ]] || die "127.0.0.1:$port answers /v2/ with $code (wanted a registry with auth)"
            code=$(v2_status "$port" "$(basic_auth_header "$auth")")
            [[ $code == 200 ]] || die "127.0.0.1:$port rejects the given credentials (${code:-no answer})"
        fi
        pid=$(registry_pid "$port")
        step "registry 127.0.0.1:$port already up${pid:+ (pid $pid)}"
        [[ -z $pid ]] || echo "$pid"
        return
    fi

    # Ours but hung, or a stale pid file: clear it.
    pid=$(registry_pid "$port")
    if [[ -n $pid ]]; then
        say "registry pid $pid does not answer: restarting it"
        kill "$pid" 2>/dev/null || true
        local i
        for ((i = 0; i < 50; i++)); do
            alive "$pid" || break
            sleep 0.1
        done
    fi

    mkdir -p "$dir/data"
    local auth_yaml=
    if [[ -n $auth ]]; then
        htpasswd -Bbn "${auth%%:*}" "${auth#*:}" >"$dir/htpasswd"
        auth_yaml="auth:
  htpasswd:
    realm: adf-test
    path: $dir/htpasswd"
    else
        rm -f "$dir/htpasswd"
    fi
    cat >"$dir/config.yml" <<EOF
# written by scripts/engine.sh
version: 0.1
log:
  level: info
  formatter: text
storage:
  filesystem:
    rootdirectory: $dir/data
  delete:
    enabled: true
  cache:
    blobdescriptor: inmemory
http:
  addr: 127.0.0.1:$port
  secret: adf-test-registry-$port
$auth_yaml
EOF
    printf '\n==== %s engine.sh starts the registry\n' "$(date -Is)" >>"$dir/registry.log"
    spawn "$dir/registry.log" docker-registry serve "$dir/config.yml"
    pid=$SPAWNED
    echo "$pid" >"$dir/registry.pid"

    local deadline=$((SECONDS + 30))
    while :; do
        code=$(v2_status "$port")
        [[ -z $code ]] || break
        if ! alive "$pid"; then
            log_tail "$dir/registry.log"
            die "registry on 127.0.0.1:$port exited (log: $dir/registry.log)"
        fi
        if ((SECONDS >= deadline)); then
            log_tail "$dir/registry.log"
            die "registry on 127.0.0.1:$port did not answer within 30 s (log: $dir/registry.log)"
        fi
        sleep 0.1
    done
    step "registry 127.0.0.1:$port up (pid $pid${auth:+, basic auth})"
    echo "$pid"
}

cmd_registry_stop() {
    local port=${1:-} purge=
    [[ -n $port ]] || die "usage: engine.sh registry-stop PORT [--purge]"
    check_port "$port"
    [[ ${2:-} != --purge ]] || purge=1
    local dir pid
    dir=$(registry_dir "$port")
    lock "$dir.lock" 60
    pid=$(registry_pid "$port")
    if [[ -n $pid ]]; then
        kill "$pid" 2>/dev/null || true
        local i
        for ((i = 0; i < 100; i++)); do
            alive "$pid" || break
            sleep 0.1
        done
        if alive "$pid"; then
            kill -9 "$pid" 2>/dev/null || true
        fi
        step "registry 127.0.0.1:$port stopped (pid $pid)"
    elif [[ -n $(v2_status "$port") ]]; then
        die "127.0.0.1:$port answers, but not a registry started by engine.sh: not stopping it"
    else
        step "registry 127.0.0.1:$port was not running"
    fi
    rm -f "$dir/registry.pid"
    if [[ -n $purge ]]; then
        rm -rf "$dir"
        step "registry 127.0.0.1:$port storage deleted"
    fi
}

# ---------------------------------------------------------------------------------------------

cmd_status() {
    local rc=0 pid
    if docker_up; then
        pid=$(dockerd_running_pid)
        say "dockerd: up, server $("$DOCKER" version --format '{{.Server.Version}}' 2>/dev/null)${pid:+, pid $pid}"
        if fixture_current; then
            say "fixture $FIXTURE_IMAGE: present"
        elif "$DOCKER" image inspect "$FIXTURE_IMAGE" >/dev/null 2>&1; then
            say "fixture $FIXTURE_IMAGE: outdated"; rc=1
        else
            say "fixture $FIXTURE_IMAGE: missing"; rc=1
        fi
    else
        say "dockerd: down"; rc=1
    fi
    local d port code found=
    for d in /tmp/adf-registry-[0-9]*/; do
        [[ -d $d ]] || continue
        port=${d%/}; port=${port##*-}
        [[ -e $d/config.yml ]] || continue
        found=1
        code=$(v2_status "$port")
        pid=$(registry_pid "$port")
        if [[ -n $code ]]; then
            local kind=open
            [[ $code == 401 ]] && kind="basic auth"
            say "registry 127.0.0.1:$port: up ($kind)${pid:+, pid $pid}"
        else
            say "registry 127.0.0.1:$port: down"
        fi
    done
    [[ -n $found ]] || say "registries: none started by engine.sh"
    return "$rc"
}

cmd_up() {
    [[ $(id -u) == 0 ]] || die "engine.sh up needs root (apt-get, dockerd)"
    lock "$ENGINE_LOCK" 900
    ensure_packages
    ensure_dockerd
    ensure_fixtures
    step "engine ready"
}

cmd_fixtures() {
    lock "$ENGINE_LOCK" 900
    docker_up || die "dockerd does not answer: run engine.sh up"
    ensure_fixtures
}

usage() { # EXIT_CODE
    sed -n '2,9p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//' >&2
    exit "$1"
}

case ${1:-} in
    up) shift; cmd_up "$@" ;;
    fixtures) shift; cmd_fixtures "$@" ;;
    registry) shift; cmd_registry "$@" ;;
    registry-stop) shift; cmd_registry_stop "$@" ;;
    status) shift; cmd_status "$@" ;;
    -h | --help | help) usage 0 ;;
    *) usage 2 ;;
esac
