# The helpers every script of `adf export script` starts with (after ADF_PROFILE and ADF_STATE).
set -eu
(set -o pipefail) 2>/dev/null && set -o pipefail
if [ $# -ne 1 ] || [ ! -d "$1" ]; then
    echo "usage: $0 PROJECT_DIR   (the directory of dockerfile-compose.yaml)" >&2
    exit 2
fi
ADF_ROOT=$(cd "$1" && pwd)
mkdir -p "$ADF_STATE/env" "$(dirname "$ADF_PROFILE")"
[ -f "$ADF_PROFILE" ] || : >"$ADF_PROFILE"
# every ENV is computed from the host's own values, as they were before the first run
for adf_f in "$ADF_STATE"/env/*; do
    [ -e "$adf_f" ] || continue
    adf_n=${adf_f##*/}
    case "$adf_n" in
    *.unset) unset "${adf_n%.unset}" ;;
    *) adf_v=$(cat "$adf_f"; echo x); export "$adf_n=${adf_v%x}" ;;
    esac
done
ADF_SHELL_0=/bin/sh
ADF_SHELL_1=-c
ADF_USER=

adf_step() { echo "[$1] $2" >&2; }
adf_quote() { printf "'%s'" "$(printf '%s' "$1" | sed "s/'/'\\\\''/g")"; }
# NAME VALUE: exported for what follows, and kept in the profile for later shells
adf_env() {
    if [ ! -e "$ADF_STATE/env/$1" ] && [ ! -e "$ADF_STATE/env/$1.unset" ]; then
        eval "adf_isset=\${$1+set} adf_old=\${$1-}"
        if [ -n "$adf_isset" ]; then printf '%s' "$adf_old" >"$ADF_STATE/env/$1"; else : >"$ADF_STATE/env/$1.unset"; fi
    fi
    export "$1=$2"
    { grep -v "^export $1=" "$ADF_PROFILE" || true; } >"$ADF_PROFILE.adf-tmp"
    printf 'export %s=%s\n' "$1" "$(adf_quote "$2")" >>"$ADF_PROFILE.adf-tmp"
    mv "$ADF_PROFILE.adf-tmp" "$ADF_PROFILE"
}
adf_done() { [ -e "$ADF_STATE/$1" ]; }
adf_mark() { : >"$ADF_STATE/$1"; }
# COMMAND...: one RUN step, through the image's SHELL, as its USER
adf_run() {
    if [ -n "$ADF_USER" ] && [ "$ADF_USER" != root ] && [ "$ADF_USER" != 0 ]; then
        su -p -s "$ADF_SHELL_0" "$ADF_USER" -c "$*"
    else
        "$ADF_SHELL_0" "$ADF_SHELL_1" "$*"
    fi
}
# SRC... DEST (the last one): COPY semantics (a directory's contents, into DEST/ when it ends
# with / or several sources are given)
adf_copy() {
    eval "adf_dest=\${$#}"
    adf_n=$(($# - 1))
    adf_into=
    case "$adf_dest" in */) adf_into=1 ;; esac
    [ "$adf_n" -gt 1 ] && adf_into=1
    while [ "$adf_n" -gt 0 ]; do
        adf_src=$1
        shift
        adf_n=$((adf_n - 1))
        [ -e "$adf_src" ] || { echo "adf: COPY source $adf_src does not exist" >&2; exit 1; }
        if [ -d "$adf_src" ]; then
            mkdir -p "$adf_dest"
            cp -a "$adf_src/." "$adf_dest/"
        elif [ -n "$adf_into" ] || [ -d "$adf_dest" ]; then
            mkdir -p "$adf_dest"
            cp -a "$adf_src" "$adf_dest/"
        else
            mkdir -p "$(dirname "$adf_dest")"
            cp -a "$adf_src" "$adf_dest"
        fi
    done
}
