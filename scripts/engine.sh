#!/usr/bin/env bash
# A real Docker engine and real registries for the test suite, on a Debian bookworm machine
# (root; no Docker Hub; nothing can be pulled). Idempotent, and fast when everything is up.
#
#   engine.sh up                          install what is missing, start dockerd, build fixtures
#   engine.sh fixtures                    build adf-fixture/busybox:1 if missing or outdated
#   engine.sh registry PORT [--auth U:P]  start a registry on 127.0.0.1:PORT, print its pid
#   engine.sh registry-stop PORT [--purge]  stop it (with --purge: delete its storage too)
#   engine.sh status                      what is up (exit 0 if dockerd and the fixture are)
#   engine.sh qemu                        register qemu-aarch64 with binfmt_misc (arm64 RUN steps)
#   engine.sh modern                      start a Docker 26 engine (buildx, containerd image store)
#                                         and print the path of its docker client
#   engine.sh modern-status               is it up (exit 0 if it is)
#   engine.sh modern-stop                 stop it
#   engine.sh fixtures-multiarch [CLIENT] linux/amd64 + linux/arm64 busybox fixtures on the engine
#                                         CLIENT talks to (default /usr/bin/docker)
#   engine.sh fixtures-python [CLIENT]    build adf-fixture/python:3 (Debian bookworm, python3, pip)
#                                         on the engine CLIENT talks to, if missing or outdated
#   engine.sh chromium                    install headless Chromium (the timings report test
#                                         renders its page) if missing
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
# - `modern` unpacks Debian trixie's docker.io, docker-cli and docker-buildx (Docker 26.1, buildx
#   0.13; the .debs are fetched with a private apt state under /tmp/adf-trixie, from the host's
#   Debian archive: nothing is installed) into /opt/adf-docker26 and runs that dockerd beside the
#   first one: unix:///tmp/adf-d26.sock, --data-root /tmp/adf-d26, --exec-root /tmp/adf-d26e, pid
#   file /tmp/adf-d26.pid, log /tmp/adf-d26.log, the containerd image store (one tag can hold
#   several platforms; `buildx build --platform a,b --load` works). Its client is the wrapper
#   /opt/adf-docker26/bin/docker: the Docker 26 CLI, DOCKER_HOST=unix:///tmp/adf-d26.sock unless
#   set, DOCKER_CONFIG=/opt/adf-docker26/config (which holds cli-plugins/docker-buildx) unless
#   set; a caller's own DOCKER_CONFIG gets a cli-plugins/docker-buildx symlink. buildx is nowhere
#   else: /usr/local/bin/docker (28.x) still has none. RUN steps need `--network host` there too.
# - `qemu` mounts binfmt_misc and registers qemu-aarch64 (qemu-user-static, binfmt-support, with
#   the F flag, so containers need no emulator inside): `--platform linux/arm64` RUN steps and
#   containers work on both engines, about 8x slower than native.
# - `fixtures-multiarch` (tests/fixtures/engine/busybox-multiarch.Dockerfile, no RUN step; the
#   arm64 busybox-static .deb comes from the host's Debian archive with a private apt state under
#   /tmp/adf-arm64): on a classic image store (the 20.10 engine) adf-fixture/busybox:1-amd64 and
#   adf-fixture/busybox:1-arm64, one platform each; on a containerd image store (the Docker 26
#   engine) adf-fixture/busybox:1 holding linux/amd64 and linux/arm64. It registers qemu first.
# - adf-fixture/python:3 (`fixtures-python`) is a minimal Debian bookworm (debootstrap
#   --variant=minbase) with python3 and python3-pip (no Recommends: no compiler, no python3-dev),
#   bash, coreutils (sha256sum) and dash as /bin/sh; no apt lists. ENV PIP_BREAK_SYSTEM_PACKAGES=1,
#   so a plain `pip install` (e.g. --no-index --find-links DIR) installs into the system python;
#   CMD ["bash"]. The root filesystem comes from the host's Debian archive; its tarball is kept in
#   /tmp/adf-python-rootfs.tar (with .rev), so a re-import after `docker rmi` takes seconds.
# Only loopback addresses are contacted (besides apt's own configured sources when installing,
# and the host's Debian archive for the trixie, arm64 and bookworm python downloads).
# Status lines go to stderr; stdout carries only requested values (the registry pid, the Docker
# 26 client of `modern`).
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
# multi-platform fixtures and qemu
MULTIARCH_DOCKERFILE=$SCRIPT_DIR/../tests/fixtures/engine/busybox-multiarch.Dockerfile
MULTIARCH_REPO=adf-fixture/busybox
MULTIARCH_LOCK=/tmp/adf-multiarch.lock
ARM64_STATE=/tmp/adf-arm64
BINFMT_DIR=/proc/sys/fs/binfmt_misc
# the python fixture
PYTHON_IMAGE=adf-fixture/python:3
PYTHON_SUITE=bookworm
PYTHON_PACKAGES=(python3 python3-pip)
PYTHON_CHANGES=(
    'ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin'
    'ENV PIP_BREAK_SYSTEM_PACKAGES=1'
    'CMD ["bash"]'
)
PYTHON_TAR=/tmp/adf-python-rootfs.tar
PYTHON_TREE=/tmp/adf-python-rootfs.d
PYTHON_LOG=/tmp/adf-python-debootstrap.log
PYTHON_LOCK=/tmp/adf-python.lock
# the Docker 26 engine of `modern`
D26_PREFIX=/opt/adf-docker26
D26_CLI=$D26_PREFIX/usr/bin/docker
D26_DOCKERD=$D26_PREFIX/usr/sbin/dockerd
D26_BUILDX=$D26_PREFIX/usr/libexec/docker/cli-plugins/docker-buildx
D26_CONFIG=$D26_PREFIX/config
D26_CLIENT=$D26_PREFIX/bin/docker
D26_DAEMON_JSON=$D26_PREFIX/daemon.json
D26_SOCK=/tmp/adf-d26.sock
D26_DATA=/tmp/adf-d26
D26_EXEC=/tmp/adf-d26e
D26_PIDFILE=/tmp/adf-d26.pid
D26_LOG=/tmp/adf-d26.log
D26_LOCK=/tmp/adf-d26.lock
D26_STATE=/tmp/adf-trixie
D26_SUITE=trixie
D26_PACKAGES=(docker.io docker-cli docker-buildx)

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

apt_install() { # PKG...: apt-get update, then install PKGs (no recommends, no service started)
    say "installing: $* (log: $APT_LOG)"
    : >"$APT_LOG"
    # No service may start from a maintainer script: dockerd is started by ensure_dockerd, with
    # our flags (and binfmt-support's service is not needed: ensure_qemu registers the format).
    local made_policy=
    if [[ ! -e /usr/sbin/policy-rc.d ]]; then
        printf '#!/bin/sh\nexit 101\n' >/usr/sbin/policy-rc.d
        chmod +x /usr/sbin/policy-rc.d
        made_policy=1
        trap 'rm -f /usr/sbin/policy-rc.d' EXIT
    fi
    local ok=1
    apt_update
    apt_get install --no-install-recommends "$@" || ok=
    if [[ -n $made_policy ]]; then
        rm -f /usr/sbin/policy-rc.d
        trap - EXIT
    fi
    if [[ -z $ok ]]; then
        log_tail "$APT_LOG"
        die "apt-get install $* failed (log: $APT_LOG)"
    fi
}

ensure_packages() {
    local miss
    miss=$(missing_packages)
    if [[ -z $miss ]]; then
        step "packages present"
        return
    fi
    # shellcheck disable=SC2086 # $miss is a word list
    apt_install $miss
    miss=$(missing_packages)
    [[ -z $miss ]] || die "still missing after apt-get install: $miss"
    step "packages installed"
}

# ---------------------------------------------------------------------------------------------
# dockerd

# await_daemon PID LOG WHAT WHERE CHECK [SECONDS]: wait (60 s by default) until CHECK succeeds;
# die with the log's tail if the daemon exits or never answers.
await_daemon() {
    local pid=$1 log=$2 what=$3 where=$4 check=$5 limit=${6:-60}
    local deadline=$((SECONDS + limit))
    until "$check"; do
        if ! alive "$pid"; then
            log_tail "$log"
            die "$what (pid $pid) exited (log: $log)"
        fi
        if ((SECONDS >= deadline)); then
            log_tail "$log"
            die "$what (pid $pid) did not answer on $where within $limit s (log: $log)"
        fi
        sleep 0.2
    done
}

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
    await_daemon "$pid" "$DOCKERD_LOG" "dockerd" /var/run/docker.sock docker_up
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
registry_answers() { [[ -n $(v2_status "$REGISTRY_PORT") ]]; }

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

    REGISTRY_PORT=$port
    await_daemon "$pid" "$dir/registry.log" "registry" "127.0.0.1:$port" registry_answers 30
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
# private apt states: download .debs from the host's Debian archive for another suite or
# architecture, without touching the host's apt state (nothing is installed)

host_codename() { # the host's Debian release, e.g. bookworm
    # shellcheck disable=SC1091 # the host's file
    (. /etc/os-release && echo "${VERSION_CODENAME:-}")
}

# host_archive: "URI<TAB>SIGNED-BY" (SIGNED-BY may be empty) of the host's Debian archive: the
# first `deb` source in /etc/apt/sources.list* (one-line or deb822 format) for the host's own
# suite (e.g. bookworm, not bookworm-security). Nothing if there is none.
host_archive() {
    local codename f
    codename=$(host_codename)
    [[ -n $codename ]] || return 0
    for f in /etc/apt/sources.list /etc/apt/sources.list.d/*.list /etc/apt/sources.list.d/*.sources; do
        [[ -f $f ]] || continue
        case $f in
            *.sources)
                awk -v want="$codename" '
                    function flush() {
                        if (types ~ /(^| )deb( |$)/ && enabled !~ /^(no|false|0)$/ &&
                            index(" " suites " ", " " want " ") && uris != "") {
                            split(uris, u, " "); print u[1] "\t" signed; found = 1; exit
                        }
                        types = uris = suites = signed = enabled = ""
                    }
                    /^[ \t]*#/ { next }
                    /^[ \t]*$/ { flush(); next }
                    /^[ \t]/ { next } # a continuation line (an inline key)
                    {
                        key = tolower($0); sub(/:.*/, "", key)
                        val = $0; sub(/^[^:]*:[ \t]*/, "", val); sub(/[ \t]+$/, "", val)
                        if (key == "types") types = val
                        else if (key == "uris") uris = val
                        else if (key == "suites") suites = val
                        else if (key == "enabled") enabled = tolower(val)
                        else if (key == "signed-by" && val ~ /^\//) signed = val
                    }
                    END { if (!found) flush() }' "$f"
                ;;
            *)
                awk -v want="$codename" '
                    /^[ \t]*deb[ \t]/ {
                        line = $0; sub(/^[ \t]*deb[ \t]+/, "", line); opts = ""
                        if (line ~ /^\[/) { opts = line; sub(/\].*/, "", opts); sub(/^[^]]*\][ \t]*/, "", line) }
                        n = split(line, w, /[ \t]+/)
                        if (n >= 3 && w[2] == want) {
                            signed = ""
                            if (match(opts, /signed-by=[^ \t\]]+/)) signed = substr(opts, RSTART + 10, RLENGTH - 10)
                            print w[1] "\t" signed; exit
                        }
                    }' "$f"
                ;;
        esac
    done | head -n 1
}

# private_fetch STATE ARCH SUITE DEST PKG...: download PKGs (ARCH, from SUITE's component main of
# the host's Debian archive) with an apt state of its own under STATE (sources list, lists,
# cache; no dpkg status, so nothing counts as installed), and unpack them into DEST (dpkg -x).
private_fetch() {
    local state=$1 arch=$2 suite=$3 dest=$4
    shift 4
    local archive uri signed
    archive=$(host_archive)
    [[ -n $archive ]] || die "no Debian archive for this release in /etc/apt/sources.list*: cannot fetch $* ($suite, $arch)"
    uri=${archive%%$'\t'*}
    signed=${archive#*$'\t'}
    rm -rf "$state/debs"
    mkdir -p "$state/lists/partial" "$state/cache/archives/partial" "$state/sources.list.d" "$state/debs"
    # The host's archive line, with the suite, component and architecture replaced.
    printf 'deb [arch=%s%s] %s %s main\n' "$arch" "${signed:+ signed-by=$signed}" "$uri" "$suite" >"$state/sources.list"
    local -a o=(
        -o "Dir::Etc::SourceList=$state/sources.list" -o "Dir::Etc::SourceParts=$state/sources.list.d"
        -o "Dir::State::Lists=$state/lists" -o "Dir::Cache=$state/cache" -o Dir::State::status=/dev/null
        -o "APT::Architecture=$arch" -o "APT::Architectures::=$arch" -o APT::Sandbox::User=root
    )
    say "fetching $* ($suite, $arch) with a private apt state (log: $state/apt.log)"
    : >"$state/apt.log"
    if ! apt-get -q "${o[@]}" update </dev/null >>"$state/apt.log" 2>&1 9>&-; then
        log_tail "$state/apt.log"
        die "apt-get update for $suite ($arch) failed (log: $state/apt.log)"
    fi
    if ! (cd "$state/debs" && apt-get -q "${o[@]}" download "$@") </dev/null >>"$state/apt.log" 2>&1 9>&-; then
        log_tail "$state/apt.log"
        die "apt-get download $* ($suite, $arch) failed (log: $state/apt.log)"
    fi
    local f
    mkdir -p "$dest"
    for f in "$state/debs"/*.deb; do
        dpkg -x "$f" "$dest" || die "dpkg -x $f $dest failed"
    done
    rm -rf "$state/debs"
}

# ---------------------------------------------------------------------------------------------
# qemu: arm64 RUN steps and containers on an x86_64 host

qemu_registered() { # qemu-aarch64 is enabled, with the F flag (the kernel keeps the emulator open)
    local f=$BINFMT_DIR/qemu-aarch64
    [[ -r $f ]] && [[ $(head -n 1 "$f") == enabled ]] && grep -q '^flags:.*F' "$f"
}

ensure_qemu() {
    case $(uname -m) in
        aarch64 | arm64) step "arm64 host: no emulator needed"; return ;;
    esac
    if ! mountpoint -q "$BINFMT_DIR"; then
        [[ $(id -u) == 0 ]] || die "binfmt_misc is not mounted at $BINFMT_DIR, and mounting it needs root"
        mount -t binfmt_misc binfmt_misc "$BINFMT_DIR" 2>&1 | sed 's/^/engine: /' >&2 || true
        mountpoint -q "$BINFMT_DIR" || die "cannot mount binfmt_misc at $BINFMT_DIR (a container without CAP_SYS_ADMIN?)"
        step "binfmt_misc mounted"
    fi
    if qemu_registered; then
        step "qemu-aarch64 registered"
        return
    fi
    [[ $(id -u) == 0 ]] || die "registering qemu-aarch64 needs root (apt-get, update-binfmts)"
    local -a miss=()
    pkg_installed qemu-user-static || miss+=(qemu-user-static)
    pkg_installed binfmt-support || miss+=(binfmt-support)
    if ((${#miss[@]})); then
        apt_install "${miss[@]}"
        step "installed ${miss[*]}"
    fi
    local f=$BINFMT_DIR/qemu-aarch64
    if [[ -e $f ]] && ! grep -q '^flags:.*F' "$f"; then
        die "$f is registered without the F (fix-binary) flag, so containers cannot use it;" \
            "remove it (echo -1 >$f) and run engine.sh qemu again"
    fi
    if ! qemu_registered; then
        # Not registered by the packages' maintainer scripts (no init system here): do it now.
        if ! update-binfmts --display qemu-aarch64 >/dev/null 2>&1; then
            update-binfmts --import qemu-aarch64 </dev/null >>"$APT_LOG" 2>&1 9>&- || true
        fi
        update-binfmts --enable qemu-aarch64 </dev/null >>"$APT_LOG" 2>&1 9>&- || true
    fi
    if ! qemu_registered; then
        tail -n 5 "$APT_LOG" >&2 || true
        [[ -e $f ]] || die "$f does not exist after installing qemu-user-static and binfmt-support" \
            "(update-binfmts --enable qemu-aarch64 failed; log: $APT_LOG)"
        die "$f exists but is not enabled with the F flag: $(tr '\n' ' ' <"$f")"
    fi
    step "qemu-aarch64 registered"
}

cmd_qemu() {
    lock "$MULTIARCH_LOCK" 900
    ensure_qemu
}

# ---------------------------------------------------------------------------------------------
# the Docker 26 engine (containerd image store, buildx)

d26_cli() { # the Docker 26 client on the Docker 26 engine, with buildx, whatever the caller's env
    DOCKER_CONFIG=$D26_CONFIG "$D26_CLI" -H "unix://$D26_SOCK" "$@"
}

d26_installed() {
    [[ -x $D26_DOCKERD && -x $D26_BUILDX ]] && "$D26_CLI" --version >/dev/null 2>&1
}

ensure_d26_install() {
    if d26_installed; then
        step "docker 26 present in $D26_PREFIX"
        return
    fi
    # Unpack beside, then move into place: a half-unpacked tree never looks installed.
    local tmp=$D26_PREFIX.new
    rm -rf "$tmp"
    private_fetch "$D26_STATE" "$(dpkg --print-architecture)" "$D26_SUITE" "$tmp" "${D26_PACKAGES[@]}"
    [[ -x $tmp/usr/sbin/dockerd && -x $tmp/usr/bin/docker && -x $tmp/usr/libexec/docker/cli-plugins/docker-buildx ]] ||
        die "the $D26_SUITE packages ${D26_PACKAGES[*]} lack usr/sbin/dockerd, usr/bin/docker or the buildx plugin (in $tmp)"
    "$tmp/usr/bin/docker" --version >/dev/null 2>&1 || die "$tmp/usr/bin/docker does not run on this machine"
    rm -rf "$D26_PREFIX"
    mv "$tmp" "$D26_PREFIX"
    step "docker $("$D26_CLI" --version | sed 's/^Docker version //; s/,.*//') unpacked into $D26_PREFIX"
}

write_if_changed() { # FILE MODE CONTENT: (re)write FILE only if its content differs
    if [[ ! -f $1 || $(cat "$1") != "$3" ]]; then
        printf '%s\n' "$3" >"$1.tmp"
        chmod "$2" "$1.tmp"
        mv -f "$1.tmp" "$1"
    fi
}

ensure_d26_files() {
    # buildx for this client only: the Docker CLI looks for plugins in $DOCKER_CONFIG/cli-plugins
    # (default ~/.docker/cli-plugins, which /usr/local/bin/docker would see too) and in fixed
    # system directories (/usr/{local/,}{lib,libexec}/docker/cli-plugins), not beside itself.
    mkdir -p "$D26_CONFIG/cli-plugins" "$D26_PREFIX/bin"
    if [[ $(readlink "$D26_CONFIG/cli-plugins/docker-buildx" 2>/dev/null || true) != "$D26_BUILDX" ]]; then
        ln -sfn "$D26_BUILDX" "$D26_CONFIG/cli-plugins/docker-buildx"
    fi
    write_if_changed "$D26_DAEMON_JSON" 644 '{"features": {"containerd-snapshotter": true}}'
    write_if_changed "$D26_CLIENT" 755 "#!/bin/sh
# Written by scripts/engine.sh (modern): the Docker 26 client, with buildx, talking to the
# Docker 26 engine on unix://$D26_SOCK unless DOCKER_HOST is set.
# buildx is only in $D26_CONFIG/cli-plugins, the default DOCKER_CONFIG
# here: no other docker client on this machine sees it. A caller's own DOCKER_CONFIG (a
# private one for docker login, say) is kept, and gets a cli-plugins/docker-buildx symlink
# (never ~/.docker, where /usr/local/bin/docker would find it too).
if [ -z \"\${DOCKER_HOST:-}\" ]; then
    DOCKER_HOST=unix://$D26_SOCK
    export DOCKER_HOST
fi
if [ -z \"\${DOCKER_CONFIG:-}\" ]; then
    DOCKER_CONFIG=$D26_CONFIG
    export DOCKER_CONFIG
elif [ ! -e \"\$DOCKER_CONFIG/cli-plugins/docker-buildx\" ]; then
    case \"\$DOCKER_CONFIG\" in
        \"\${HOME:-/root}/.docker\" | \"\${HOME:-/root}/.docker/\") ;;
        *)
            if ! [ \"\$DOCKER_CONFIG\" -ef \"\${HOME:-/root}/.docker\" ]; then
                mkdir -p \"\$DOCKER_CONFIG/cli-plugins\" 2>/dev/null &&
                    ln -sf $D26_BUILDX \"\$DOCKER_CONFIG/cli-plugins/docker-buildx\" 2>/dev/null
            fi
            ;;
    esac
fi
exec $D26_CLI \"\$@\""
}

d26_version() { # the Docker 26 engine's server version, or nothing
    timeout 10 env DOCKER_CONFIG="$D26_CONFIG" "$D26_CLI" -H "unix://$D26_SOCK" \
        version --format '{{.Server.Version}}' 2>/dev/null || true
}

d26_answers() { [[ -n $(d26_version) ]]; }

d26_running_pid() { # the pid of a live Docker 26 dockerd from its pid file, if any
    local pid
    pid=$(cat "$D26_PIDFILE" 2>/dev/null || true)
    [[ $pid =~ ^[0-9]+$ ]] && alive "$pid" && [[ $(cat "/proc/$pid/comm" 2>/dev/null || true) == dockerd ]] && echo "$pid"
    return 0
}

containerd_store() { # CLIENT...: does the engine keep images in containerd (snapshotters)?
    local ds
    ds=$("$@" info --format '{{json .DriverStatus}}' 2>/dev/null 9>&-) || return 1
    [[ $ds == *io.containerd.snapshotter* ]]
}

ensure_d26_daemon() {
    local ver pid
    ver=$(d26_version)
    if [[ -z $ver ]]; then
        pid=$(d26_running_pid)
        if [[ -n $pid ]]; then
            say "docker 26 dockerd (pid $pid) runs but does not answer yet: waiting"
        else
            say "starting $D26_DOCKERD on unix://$D26_SOCK (log: $D26_LOG)"
            mkdir -p "$D26_DATA" "$D26_EXEC"
            printf '\n==== %s engine.sh starts the docker 26 dockerd\n' "$(date -Is)" >>"$D26_LOG"
            # Its own docker-proxy first; containerd, runc and docker-init are the host's.
            spawn "$D26_LOG" env PATH="$D26_PREFIX/usr/sbin:$PATH" "$D26_DOCKERD" \
                --config-file "$D26_DAEMON_JSON" -H "unix://$D26_SOCK" \
                --data-root "$D26_DATA" --exec-root "$D26_EXEC" --pidfile "$D26_PIDFILE" \
                --iptables=false --bridge=none
            pid=$SPAWNED
        fi
        await_daemon "$pid" "$D26_LOG" "docker 26 dockerd" "unix://$D26_SOCK" d26_answers
        ver=$(d26_version)
        step "docker $ver dockerd up (pid $pid)"
    else
        pid=$(d26_running_pid)
        step "docker $ver dockerd answers${pid:+ (pid $pid)}"
    fi
    [[ $ver == 26.* ]] || die "unix://$D26_SOCK answers with server $ver, not 26.x: stop it (engine.sh modern-stop)"
    containerd_store d26_cli ||
        die "the engine on unix://$D26_SOCK does not use the containerd image store:" \
            "$(d26_cli info --format '{{json .DriverStatus}}' 2>&1 9>&-)"
}

cmd_modern() {
    [[ $(id -u) == 0 ]] || die "engine.sh modern needs root (dockerd)"
    lock "$D26_LOCK" 900
    ensure_d26_install
    ensure_d26_files
    ensure_d26_daemon
    local bx
    bx=$(env -u DOCKER_CONFIG "$D26_CLIENT" buildx version 2>&1 9>&-) || die "$D26_CLIENT buildx version failed: $bx"
    step "$bx"
    echo "$D26_CLIENT"
}

cmd_modern_status() {
    local ver pid
    ver=$(d26_version)
    pid=$(d26_running_pid)
    if [[ -z $ver ]]; then
        say "docker 26 engine: down${pid:+ (pid $pid runs but does not answer)}"
        return 1
    fi
    local store=classic
    containerd_store d26_cli && store=containerd
    say "docker 26 engine: up, server $ver${pid:+, pid $pid}, $store image store, client $D26_CLIENT"
    [[ $store == containerd ]]
}

cmd_modern_stop() {
    lock "$D26_LOCK" 900
    local pid
    pid=$(d26_running_pid)
    if [[ -z $pid ]]; then
        [[ -z $(d26_version) ]] || die "unix://$D26_SOCK answers, but no dockerd from $D26_PIDFILE: not stopping it"
        step "docker 26 engine was not running"
        return
    fi
    kill "$pid" 2>/dev/null || true
    local i
    for ((i = 0; i < 300; i++)); do
        alive "$pid" || break
        sleep 0.1
    done
    if alive "$pid"; then
        say "docker 26 dockerd (pid $pid) still runs after 30 s: killing it"
        kill -9 "$pid" 2>/dev/null || true
        # Its containerd stays after a SIGKILL: stop that one too.
        local cpid
        cpid=$(cat "$D26_EXEC/containerd/containerd.pid" 2>/dev/null || true)
        if [[ $cpid =~ ^[0-9]+$ ]] && alive "$cpid" && [[ $(cat "/proc/$cpid/comm" 2>/dev/null || true) == containerd ]]; then
            kill "$cpid" 2>/dev/null || true
        fi
    fi
    step "docker 26 engine stopped (pid $pid)"
}

# ---------------------------------------------------------------------------------------------
# multi-platform fixtures

arm64_busybox() { # path of Debian's busybox-static for arm64, fetched (once) if needed
    local b
    for b in "$ARM64_STATE/root/bin/busybox" "$ARM64_STATE/root/usr/bin/busybox"; do
        if [[ -x $b && $(od -An -tu2 -j18 -N2 "$b" | tr -d ' ') == 183 ]]; then # EM_AARCH64
            echo "$b"
            return
        fi
    done
    rm -rf "$ARM64_STATE/root"
    private_fetch "$ARM64_STATE" arm64 "$(host_codename)" "$ARM64_STATE/root" busybox-static >&2
    for b in "$ARM64_STATE/root/bin/busybox" "$ARM64_STATE/root/usr/bin/busybox"; do
        [[ -x $b && $(od -An -tu2 -j18 -N2 "$b" | tr -d ' ') == 183 ]] && { echo "$b"; return; }
    done
    die "the arm64 busybox-static package has no aarch64 /bin/busybox (in $ARM64_STATE/root)"
}

multiarch_rev() { # the fixture revision: the Dockerfile, both busybox binaries, the applets
    local amd64 arm64
    amd64=$(busybox_binary)
    arm64=$(arm64_busybox)
    {
        sha256sum <"$MULTIARCH_DOCKERFILE"
        sha256sum <"$amd64"
        sha256sum <"$arm64"
        "$amd64" --list | sha256sum
    } | sha256sum | cut -c1-16
}

# multiarch_context DIR: the build context of busybox-multiarch.Dockerfile.
multiarch_context() {
    local dir=$1 amd64 arm64 applet
    amd64=$(busybox_binary)
    arm64=$(arm64_busybox)
    mkdir -p "$dir/rootfs/bin" "$dir/rootfs/tmp"
    chmod 1777 "$dir/rootfs/tmp"
    cp "$amd64" "$dir/busybox-amd64"
    cp "$arm64" "$dir/busybox-arm64"
    cp "$MULTIARCH_DOCKERFILE" "$dir/Dockerfile"
    # What `busybox --install -s /bin` makes: every applet a symlink to /bin/busybox.
    "$amd64" --list >"$dir/applets" || die "$amd64 --list failed"
    while IFS= read -r applet; do
        [[ -n $applet && $applet != busybox && $applet != */* ]] || continue
        ln -s /bin/busybox "$dir/rootfs/bin/$applet"
    done <"$dir/applets"
    rm -f "$dir/applets"
}

MULTIARCH_CTX=
multiarch_ctx() { # sets MULTIARCH_CTX to the build context, made on the first call, gone at exit
    [[ -z $MULTIARCH_CTX ]] || return 0
    MULTIARCH_CTX=$(mktemp -d /tmp/adf-multiarch.XXXXXX)
    trap 'rm -rf "$MULTIARCH_CTX"' EXIT
    multiarch_context "$MULTIARCH_CTX"
}

label_of() { # CLIENT... IMAGE: the fixture label (and the architecture) of IMAGE
    local n=$(($# - 1))
    "${@:1:n}" image inspect --format "{{ index .Config.Labels \"$FIXTURE_LABEL\" }} {{.Architecture}}" "${!#}" 2>/dev/null 9>&- || true
}

# run_arch CLIENT... -- PLATFORM IMAGE: `uname -m` of a container of IMAGE for PLATFORM, after a
# look at what it must hold.
run_arch() {
    local -a c=()
    while [[ $1 != -- ]]; do c+=("$1"); shift; done
    shift
    "${c[@]}" run --rm --network none --platform "$1" "$2" \
        sh -c 'test -x /bin/sh && test -k /tmp && test -d /tmp && uname -m' 2>&1 9>&-
}

# build_multiarch CLIENT... -- PLATFORMS TAG REV CONTEXT
build_multiarch() {
    local -a c=()
    while [[ $1 != -- ]]; do c+=("$1"); shift; done
    shift
    local platforms=$1 tag=$2 rev=$3 ctx=$4 old_id new_id log=$4.log
    old_id=$("${c[@]}" image inspect --format '{{.Id}}' "$tag" 2>/dev/null 9>&- || true)
    local -a build
    if [[ $platforms == *,* ]]; then
        build=(buildx build --load --provenance=false)
    else
        build=(build)
    fi
    if ! DOCKER_BUILDKIT=1 "${c[@]}" "${build[@]}" --platform "$platforms" --network host --progress plain \
        --label "$FIXTURE_LABEL=$rev" -t "$tag" "$ctx" </dev/null >"$log" 2>&1 9>&-; then
        log_tail "$log"
        die "building $tag ($platforms) failed (log: $log)"
    fi
    rm -f "$log"
    new_id=$("${c[@]}" image inspect --format '{{.Id}}' "$tag" 9>&-)
    if [[ -n $old_id && $old_id != "$new_id" ]]; then
        "${c[@]}" image rm "$old_id" >/dev/null 2>&1 9>&- || true
    fi
    step "built $tag ($platforms)"
}

check_arch() { # CLIENT... -- PLATFORM IMAGE: a container of IMAGE for PLATFORM runs that machine
    local -a c=()
    while [[ $1 != -- ]]; do c+=("$1"); shift; done
    shift
    local want out
    case $1 in
        linux/amd64) want=x86_64 ;;
        linux/arm64) want=aarch64 ;;
        *) die "check_arch: unknown platform $1" ;;
    esac
    out=$(run_arch "${c[@]}" -- "$1" "$2") || die "running $2 for $1 failed: $out"
    [[ $out == "$want" ]] || die "$2 for $1: uname -m says '$out', not $want"
    step "fixture $2 runs as $out for $1"
}

cmd_fixtures_multiarch() {
    local client=${1:-$DOCKER}
    if [[ $client != */* ]]; then
        client=$(command -v "$client") || die "no docker client $1 on PATH"
    fi
    [[ -x $client ]] || die "no docker client at $client"
    [[ -f $MULTIARCH_DOCKERFILE ]] || die "missing $MULTIARCH_DOCKERFILE"
    pkg_installed busybox-static || die "busybox-static is not installed: run engine.sh up"
    lock "$MULTIARCH_LOCK" 900
    timeout 10 "$client" version --format '{{.Server.Version}}' >/dev/null 2>&1 9>&- ||
        die "$client reaches no engine (engine.sh up starts the 20.10 one, engine.sh modern the Docker 26 one)"
    ensure_qemu

    local rev
    rev=$(multiarch_rev)

    if containerd_store "$client"; then
        # One tag for both platforms.
        local tag=$MULTIARCH_REPO:1 have
        have=$(label_of "$client" "$tag")
        if [[ ${have%% *} == "$rev" ]] &&
            "$client" buildx version >/dev/null 2>&1 9>&- &&
            multiarch_has_platforms "$client" "$tag"; then
            step "fixture $tag (linux/amd64, linux/arm64) present"
            return
        fi
        "$client" buildx version >/dev/null 2>&1 9>&- || die "$client has no buildx: a multi-platform --load needs it"
        multiarch_ctx
        build_multiarch "$client" -- linux/amd64,linux/arm64 "$tag" "$rev" "$MULTIARCH_CTX"
        check_arch "$client" -- linux/amd64 "$tag"
        check_arch "$client" -- linux/arm64 "$tag"
    else
        # A classic image store holds one platform per tag.
        local arch tag have
        local -a built=()
        for arch in amd64 arm64; do
            tag=$MULTIARCH_REPO:1-$arch
            have=$(label_of "$client" "$tag")
            if [[ $have == "$rev $arch" ]]; then
                step "fixture $tag present"
                continue
            fi
            multiarch_ctx
            build_multiarch "$client" -- "linux/$arch" "$tag" "$rev" "$MULTIARCH_CTX"
            have=$(label_of "$client" "$tag")
            [[ $have == "$rev $arch" ]] || die "$tag was built for linux/$arch but its config says '${have#* }'"
            built+=("$arch")
        done
        for arch in "${built[@]}"; do
            check_arch "$client" -- "linux/$arch" "$MULTIARCH_REPO:1-$arch"
        done
    fi
}

multiarch_has_platforms() { # CLIENT IMAGE: the (containerd store) image holds amd64 and arm64
    local p id
    for p in linux/amd64 linux/arm64; do
        id=$("$1" create --pull never --platform "$p" --network none "$2" true 2>/dev/null 9>&-) || return 1
        "$1" rm "$id" >/dev/null 2>&1 9>&- || true
    done
}

# ---------------------------------------------------------------------------------------------
# the python fixture: Debian bookworm (minbase) + python3 + pip, from debootstrap

# unmount_below DIR: lazily unmount whatever is mounted at or below DIR, deepest first (what an
# interrupted debootstrap leaves: proc, sys, a bind-mounted /dev), so that removing DIR cannot
# reach into them.
unmount_below() {
    local m
    awk -v d="$1" '$2 == d || index($2, d "/") == 1 { print $2 }' /proc/self/mounts | sort -r |
        while IFS= read -r m; do
            umount -l "$m" 2>/dev/null || true
        done
}

remove_tree() { # DIR
    [[ -e $1 ]] || return 0
    unmount_below "$1"
    rm -rf --one-file-system "$1"
}

# python_rootfs DIR: debootstrap the fixture's root filesystem into DIR, then tidy it.
# Its text is part of the tarball's revision: a change here rebuilds the tarball and the image.
python_rootfs() {
    local dir=$1 archive uri signed b
    archive=$(host_archive)
    [[ -n $archive ]] || die "no Debian archive for this release in /etc/apt/sources.list*: cannot debootstrap $PYTHON_SUITE"
    uri=${archive%%$'\t'*}
    signed=${archive#*$'\t'}
    local -a opts=(--variant=minbase "--include=$(IFS=,; echo "${PYTHON_PACKAGES[*]}")")
    [[ -z $signed ]] || opts+=("--keyring=$signed")
    say "debootstrap $PYTHON_SUITE (${PYTHON_PACKAGES[*]}) from the host's Debian archive (log: $PYTHON_LOG)"
    : >"$PYTHON_LOG"
    if ! debootstrap "${opts[@]}" "$PYTHON_SUITE" "$dir" "$uri" </dev/null >>"$PYTHON_LOG" 2>&1 9>&-; then
        [[ ! -f $dir/debootstrap/debootstrap.log ]] || cat "$dir/debootstrap/debootstrap.log" >>"$PYTHON_LOG"
        unmount_below "$dir"
        log_tail "$PYTHON_LOG"
        die "debootstrap $PYTHON_SUITE failed (log: $PYTHON_LOG)"
    fi
    unmount_below "$dir"
    if awk -v d="$dir" 'index($2, d "/") == 1 { found = 1 } END { exit !found }' /proc/self/mounts; then
        die "something is still mounted below $dir: not tidying it"
    fi
    # No package cache or lists, no device nodes (the engine provides /dev), and none of the
    # host's own names: the engine bind-mounts /etc/hostname, /etc/hosts and /etc/resolv.conf.
    rm -rf --one-file-system "$dir/debootstrap" "$dir/var/cache/apt/archives/"*.deb \
        "$dir/var/lib/apt/lists/"* "$dir/dev/"* "$dir/proc/"* "$dir/sys/"* "$dir/run/"*
    : >"$dir/etc/resolv.conf"
    echo localhost >"$dir/etc/hostname"
    for b in bash sh sha256sum python3; do
        [[ -x $dir/bin/$b || -x $dir/usr/bin/$b ]] || die "the $PYTHON_SUITE root filesystem has no $b (in $dir)"
    done
}

python_tar_rev() { # the tarball's revision: the suite, the packages and python_rootfs itself
    { printf '%s\n' "$PYTHON_SUITE" "${PYTHON_PACKAGES[@]}"; declare -f python_rootfs; } | sha256sum | cut -c1-16
}

python_rev() { # the image's revision: the tarball's, and the image config
    { python_tar_rev; printf '%s\n' "${PYTHON_CHANGES[@]}"; } | sha256sum | cut -c1-16
}

# ensure_python_tar: $PYTHON_TAR holds the current root filesystem (made once, then reused).
ensure_python_tar() {
    local rev
    rev=$(python_tar_rev)
    if [[ -s $PYTHON_TAR && $(cat "$PYTHON_TAR.rev" 2>/dev/null || true) == "$rev" ]]; then
        step "rootfs $PYTHON_TAR present"
        return
    fi
    [[ $(id -u) == 0 ]] || die "building the python fixture needs root (debootstrap)"
    if ! command -v debootstrap >/dev/null 2>&1; then
        apt_install debootstrap
        command -v debootstrap >/dev/null 2>&1 || die "still no debootstrap after apt-get install"
        step "installed debootstrap"
    fi
    rm -f "$PYTHON_TAR" "$PYTHON_TAR.rev" "$PYTHON_TAR.tmp"
    remove_tree "$PYTHON_TREE"
    mkdir -p "$PYTHON_TREE"
    python_rootfs "$PYTHON_TREE"
    step "debootstrap $PYTHON_SUITE done"
    tar --numeric-owner -C "$PYTHON_TREE" -cf "$PYTHON_TAR.tmp" . || die "tar of $PYTHON_TREE failed"
    remove_tree "$PYTHON_TREE"
    mv -f "$PYTHON_TAR.tmp" "$PYTHON_TAR"
    echo "$rev" >"$PYTHON_TAR.rev"
    step "rootfs $PYTHON_TAR written ($(du -m "$PYTHON_TAR" | cut -f1) MB)"
}

# What the fixture must do: sh, sha256sum, pip, and a pure-Python wheel installed offline with a
# plain `pip install` (made on the spot: adf_probe-1.0-py3-none-any.whl).
PYTHON_PROBE_WHEEL='
import base64, hashlib, os, zipfile
d = "/tmp/adf-wheels"
os.makedirs(d, exist_ok=True)
files = {
    "adf_probe/__init__.py": b"OK = \"ok\"\n",
    "adf_probe-1.0.dist-info/METADATA": b"Metadata-Version: 2.1\nName: adf-probe\nVersion: 1.0\n",
    "adf_probe-1.0.dist-info/WHEEL": b"Wheel-Version: 1.0\nGenerator: engine.sh\nRoot-Is-Purelib: true\nTag: py3-none-any\n",
}
record = []
for name, data in files.items():
    digest = base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=").decode()
    record.append("%s,sha256=%s,%d" % (name, digest, len(data)))
record.append("adf_probe-1.0.dist-info/RECORD,,")
files["adf_probe-1.0.dist-info/RECORD"] = ("\n".join(record) + "\n").encode()
with zipfile.ZipFile(d + "/adf_probe-1.0-py3-none-any.whl", "w") as z:
    for name, data in files.items():
        z.writestr(name, data)
'
# shellcheck disable=SC2016 # expanded in the container
PYTHON_PROBE='set -e
for c in sh bash sha256sum; do command -v "$c" >/dev/null || { echo "no $c" >&2; exit 1; }; done
echo abc | sha256sum >/dev/null
python3 -m pip --version
python3 -c "$1"
python3 -m pip install -q --no-index --find-links /tmp/adf-wheels adf-probe 2>&1
python3 -c "import adf_probe; print(adf_probe.OK)"'

cmd_fixtures_python() {
    local client=${1:-$DOCKER}
    if [[ $client != */* ]]; then
        client=$(command -v "$client") || die "no docker client $1 on PATH"
    fi
    [[ -x $client ]] || die "no docker client at $client"
    lock "$PYTHON_LOCK" 900
    timeout 10 "$client" version --format '{{.Server.Version}}' >/dev/null 2>&1 9>&- ||
        die "$client reaches no engine (engine.sh up starts the 20.10 one, engine.sh modern the Docker 26 one)"

    local rev have
    rev=$(python_rev)
    have=$("$client" image inspect --format "{{ index .Config.Labels \"$FIXTURE_LABEL\" }}" \
        "$PYTHON_IMAGE" 2>/dev/null 9>&- || true)
    if [[ $have == "$rev" ]]; then
        step "fixture $PYTHON_IMAGE present"
        return
    fi
    ensure_python_tar

    local old_id new_id change out
    local -a changes=()
    for change in "${PYTHON_CHANGES[@]}"; do changes+=(--change "$change"); done
    old_id=$("$client" image inspect --format '{{.Id}}' "$PYTHON_IMAGE" 2>/dev/null 9>&- || true)
    out=$("$client" import "${changes[@]}" --change "LABEL $FIXTURE_LABEL=$rev" \
        "$PYTHON_TAR" "$PYTHON_IMAGE" </dev/null 2>&1 9>&-) || die "docker import of $PYTHON_TAR failed: $out"
    new_id=$("$client" image inspect --format '{{.Id}}' "$PYTHON_IMAGE" 9>&-)
    if [[ -n $old_id && $old_id != "$new_id" ]]; then
        "$client" image rm "$old_id" >/dev/null 2>&1 9>&- || true
    fi
    step "imported $PYTHON_IMAGE"

    out=$("$client" run --rm --network none "$PYTHON_IMAGE" sh -c "$PYTHON_PROBE" sh "$PYTHON_PROBE_WHEEL" 2>&1 9>&-) ||
        die "$PYTHON_IMAGE fails its check: $out"
    [[ ${out##*$'\n'} == ok ]] || die "unexpected output from $PYTHON_IMAGE: $out"
    step "fixture $PYTHON_IMAGE checked ($(head -n 1 <<<"$out" | cut -d' ' -f1-2))"
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
    sed -n '2,18p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//' >&2
    exit "$1"
}


cmd_chromium() { # headless Chromium for tests/timings.rs
    if command -v chromium >/dev/null 2>&1; then
        step "chromium present"
        return
    fi
    [[ $(id -u) == 0 ]] || die "installing chromium needs root (apt-get)"
    apt_install chromium
    command -v chromium >/dev/null 2>&1 || die "still no chromium after apt-get install"
    step "chromium installed"
}

case ${1:-} in
    up) shift; cmd_up "$@" ;;
    fixtures) shift; cmd_fixtures "$@" ;;
    registry) shift; cmd_registry "$@" ;;
    registry-stop) shift; cmd_registry_stop "$@" ;;
    status) shift; cmd_status "$@" ;;
    qemu) shift; cmd_qemu "$@" ;;
    modern) shift; cmd_modern "$@" ;;
    modern-status) shift; cmd_modern_status "$@" ;;
    modern-stop) shift; cmd_modern_stop "$@" ;;
    fixtures-multiarch) shift; cmd_fixtures_multiarch "$@" ;;
    fixtures-python) shift; cmd_fixtures_python "$@" ;;
    chromium) shift; cmd_chromium "$@" ;;
    -h | --help | help) usage 0 ;;
    *) usage 2 ;;
esac
