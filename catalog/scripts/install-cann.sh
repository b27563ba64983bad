#!/bin/sh
# install-cann.sh: installs CANN components from installers bind-mounted into the build.
#
#   RUN --mount=type=bind,source=packages,target=/tmp/adf/packages \
#       --mount=type=bind,source=scripts/install-cann.sh,target=/tmp/adf/install-cann.sh \
#       sh /tmp/adf/install-cann.sh
#
# The installers are read from the bind mount and executed in place: no installer byte is copied
# into a layer. Every component asked for must have its installer, or the build stops before
# anything is installed, listing what is missing.
#
# Env (Dockerfile ARGs):
#   CANN_VERSION        required, as in the file names: 8.2.RC1, 8.3.RC1, 8.0.0, 5.1.RC2, 8.5.0
#   INSTALL_COMPONENTS  comma list of toolkit | nnae | kernels (alias ops) | nnal
#                       default toolkit,kernels,nnal; toolkit and nnae exclude each other
#   CHIP_TYPE           910b | a3 | 310p | 910 | 310b | 950; needed for kernels/ops
#   CANN_HOME           directory the image's ENV points at (default ascend-toolkit/latest)
#   CANN_INSTALL_FLAGS  default "--install --quiet --install-for-all" (as Ascend's CANN images)
#   CANN_PY_DEPS        pip packages CANN's python tools import, installed first when the
#                       image has python3 (skipped, with a note, on images without python)
#   ASCEND_BASE         install root, default /usr/local/Ascend (passed as --install-path)
#   ADF_PKG_DIR         where the installers are mounted, default /tmp/adf/packages
#   TARGETARCH          set by BuildKit; must agree with `uname -m`
#
# Installer names (S8, S17, S22): toolkit Ascend-cann-toolkit_<V>_linux-<arch>.run,
# nnae Ascend-cann-nnae_<V>_linux-<arch>.run (up to 8.3.x), nnal Ascend-cann-nnal_<V>_linux-<arch>.run,
# kernels up to 8.3.x Ascend-cann-kernels-<chip>_<V>_linux-<arch>.run (A3: Atlas-A3-cann-kernels_...),
# ops from 8.5.0 Ascend-cann-<chip>-ops_<V>_linux-<arch>.run (A3: Ascend-cann-A3-ops_...).
# Order: toolkit/nnae, kernels/ops, then nnal with the toolkit environment loaded.
#
# POSIX sh: runs under dash, bash and busybox ash (no bash needed; bash is preferred to run the
# installers themselves when the image has it).
set -eu

log() { printf 'install-cann: %s\n' "$*"; }
die() { printf 'install-cann: ERROR: %s\n' "$*" >&2; exit 1; }

PKG_DIR=${ADF_PKG_DIR:-/tmp/adf/packages}
ASCEND_BASE=${ASCEND_BASE:-/usr/local/Ascend}
COMPONENTS=${INSTALL_COMPONENTS:-toolkit,kernels,nnal}
FLAGS=${CANN_INSTALL_FLAGS:---install --quiet --install-for-all}
CHIP=${CHIP_TYPE:-}
CANN_HOME=${CANN_HOME:-$ASCEND_BASE/ascend-toolkit/latest}

VER=${CANN_VERSION:-}
[ -n "$VER" ] || die "CANN_VERSION is not set (for example --build-arg CANN_VERSION=8.2.RC1)"

# ---- architecture: derived from the build platform, never assumed -------------------------
arch=$(uname -m)
case $arch in
    x86_64 | aarch64) ;;
    *) die "unsupported architecture '$arch': CANN ships x86_64 and aarch64 installers" ;;
esac
case ${TARGETARCH:-} in
    '') ;;
    amd64) [ "$arch" = x86_64 ] || die "building for linux/amd64 but the build runs as $arch" ;;
    arm64) [ "$arch" = aarch64 ] || die "building for linux/arm64 but the build runs as $arch (is qemu binfmt set up?)" ;;
    *) die "unsupported target platform linux/$TARGETARCH" ;;
esac

# ---- version: 8.5.0 renamed kernels to ops and dropped nnae -------------------------------
major=${VER%%.*}
rest=${VER#*.}
minor=${rest%%.*}
case "$VER" in *.*) ;; *) die "cannot parse CANN_VERSION '$VER' (expected e.g. 8.2.RC1)" ;; esac
case "$major$minor" in
    '' | *[!0-9]*) die "cannot parse CANN_VERSION '$VER' (expected e.g. 8.2.RC1)" ;;
esac
ops_names=0
if [ "$major" -gt 8 ] || { [ "$major" -eq 8 ] && [ "$minor" -ge 5 ]; }; then ops_names=1; fi

# ---- components -----------------------------------------------------------------------------
want_toolkit=0 want_nnae=0 want_kernels=0 want_nnal=0
for c in $(printf '%s' "$COMPONENTS" | tr ',' ' '); do
    case $c in
        toolkit) want_toolkit=1 ;;
        nnae) want_nnae=1 ;;
        kernels | ops) want_kernels=1 ;;
        nnal) want_nnal=1 ;;
        *) die "unknown component '$c' in INSTALL_COMPONENTS='$COMPONENTS' (known: toolkit, nnae, kernels, ops, nnal)" ;;
    esac
done
if [ "$want_toolkit$want_nnae$want_kernels$want_nnal" = 0000 ]; then
    die "INSTALL_COMPONENTS is empty"
fi
if [ "$want_toolkit" = 1 ] && [ "$want_nnae" = 1 ]; then
    die "INSTALL_COMPONENTS has both toolkit and nnae: install one of them (nnae is the runtime-only subset of toolkit)"
fi
if [ "$want_nnae" = 1 ] && [ "$ops_names" = 1 ]; then
    die "CANN $VER has no nnae package (not released from 8.5.0 on): use toolkit"
fi

toolkit_env=$ASCEND_BASE/ascend-toolkit/set_env.sh
nnae_env=$ASCEND_BASE/nnae/set_env.sh
base_env=""
if [ "$want_toolkit" = 0 ] && [ "$want_nnae" = 0 ]; then
    for f in "$toolkit_env" "$ASCEND_BASE/cann/set_env.sh" "$nnae_env"; do
        if [ -f "$f" ]; then base_env=$f; break; fi
    done
    [ -n "$base_env" ] || die "INSTALL_COMPONENTS='$COMPONENTS' needs toolkit or nnae, in this image or in its parent; found neither under $ASCEND_BASE"
fi

# ---- installer file names ---------------------------------------------------------------------
kernels_name() {
    if [ "$ops_names" = 1 ]; then
        case $CHIP in
            910b | 310p | 910 | 310b | 950) echo "Ascend-cann-$CHIP-ops_${VER}_linux-$arch.run" ;;
            a3) echo "Ascend-cann-A3-ops_${VER}_linux-$arch.run" ;;
            *) return 1 ;;
        esac
    else
        case $CHIP in
            910b | 310p | 910 | 310b) echo "Ascend-cann-kernels-${CHIP}_${VER}_linux-$arch.run" ;;
            a3) echo "Atlas-A3-cann-kernels_${VER}_linux-$arch.run" ;;
            *) return 1 ;;
        esac
    fi
}

missing=""
add_missing() { missing="$missing
  - $1: $PKG_DIR/$2"; }
find_installer() { # component file -> sets $found
    found=""
    if [ -s "$PKG_DIR/$2" ]; then found=$PKG_DIR/$2; else add_missing "$1" "$2"; fi
}

[ -d "$PKG_DIR" ] || die "installer directory $PKG_DIR is not mounted (RUN --mount=type=bind,source=packages,target=$PKG_DIR)"

toolkit_run="" nnae_run="" kernels_run="" nnal_run=""
if [ "$want_toolkit" = 1 ]; then
    find_installer toolkit "Ascend-cann-toolkit_${VER}_linux-$arch.run"
    toolkit_run=$found
fi
if [ "$want_nnae" = 1 ]; then
    find_installer nnae "Ascend-cann-nnae_${VER}_linux-$arch.run"
    nnae_run=$found
fi
if [ "$want_kernels" = 1 ]; then
    [ -n "$CHIP" ] || die "INSTALL_COMPONENTS includes kernels but CHIP_TYPE is not set (910b, a3, 310p, 910, ...)"
    kname=$(kernels_name) || die "no kernels/ops package is known for CHIP_TYPE='$CHIP' in CANN $VER (known: 910b, a3, 310p, 910, 310b$( [ "$ops_names" = 1 ] && echo ', 950'))"
    if [ -s "$PKG_DIR/$kname" ]; then
        kernels_run=$PKG_DIR/$kname
    elif [ -s "$PKG_DIR/${kname%_linux-"$arch".run}_linux.run" ]; then
        # CANN 7.0.RC1 kernels had no architecture in the name
        kernels_run=$PKG_DIR/${kname%_linux-"$arch".run}_linux.run
    else
        add_missing "kernels ($CHIP)" "$kname"
    fi
fi
if [ "$want_nnal" = 1 ]; then
    find_installer nnal "Ascend-cann-nnal_${VER}_linux-$arch.run"
    nnal_run=$found
fi
if [ -n "$missing" ]; then
    die "missing CANN $VER installer(s) for $arch (INSTALL_COMPONENTS=$COMPONENTS):$missing
Download them from the Ascend community site (CANN $VER, $arch) into packages/ next to
dockerfile-compose.yaml; 'adf check' lists each file with where to get it."
fi

# ---- python dependencies of CANN's tools (te, hccl, op compiler) -----------------------------
if [ -n "${CANN_PY_DEPS:-}" ]; then
    if command -v python3 >/dev/null 2>&1; then
        (
            # proxy / CA from BuildKit secrets, for this step only (same as net-env.sh)
            if [ -s /run/secrets/proxy ]; then
                p=$(tr -d '\r\n' < /run/secrets/proxy)
                export http_proxy="$p" https_proxy="$p" HTTP_PROXY="$p" HTTPS_PROXY="$p"
            fi
            if [ -s /run/secrets/ca ]; then
                export PIP_CERT=/run/secrets/ca REQUESTS_CA_BUNDLE=/run/secrets/ca SSL_CERT_FILE=/run/secrets/ca
            fi
            log "pip install $CANN_PY_DEPS"
            # shellcheck disable=SC2086  # word list
            python3 -m pip install --no-cache-dir $CANN_PY_DEPS
        ) || die "installing CANN's python dependencies failed"
    else
        log "note: no python3 in this image, CANN's python dependencies ($CANN_PY_DEPS) were not installed"
    fi
fi

# ---- run the installers -------------------------------------------------------------------
interp="sh"
if command -v bash >/dev/null 2>&1; then interp=bash; fi

run_installer() { # name file [env-script-to-load-first]
    name=$1 file=$2 envf=${3:-}
    log "installing $name: $(basename "$file") $FLAGS --install-path=$ASCEND_BASE"
    set +e
    if [ -n "$envf" ] && [ -f "$envf" ]; then
        # load the toolkit environment in a child shell, with no positional parameters
        # shellcheck disable=SC2086,SC2016  # FLAGS is a word list; the child expands $1/$@
        "$interp" -c 'e=$1; shift; load() { . "$e"; }; load >/dev/null 2>&1; exec "$@"' adf-cann \
            "$envf" "$interp" "$file" $FLAGS "--install-path=$ASCEND_BASE"
    else
        # shellcheck disable=SC2086
        "$interp" "$file" $FLAGS "--install-path=$ASCEND_BASE"
    fi
    rc=$?
    set -e
    [ "$rc" = 0 ] || die "$name installer $(basename "$file") failed with exit code $rc (logs: /var/log/ascend_seclog/, $ASCEND_BASE/*/install.log)"
}

link_latest() { # product-dir: make <dir>/latest point at <dir>/$VER when the installer did not
    d=$1
    if [ ! -e "$d/latest" ] && [ -d "$d/$VER" ]; then
        ln -s "$VER" "$d/latest"
        log "linked $d/latest -> $VER"
    fi
}

mkdir -p "$ASCEND_BASE"
if [ -n "$toolkit_run" ]; then
    run_installer toolkit "$toolkit_run"
    link_latest "$ASCEND_BASE/ascend-toolkit"
    if [ -f "$toolkit_env" ]; then
        base_env=$toolkit_env
    elif [ -f "$ASCEND_BASE/cann/set_env.sh" ]; then
        base_env=$ASCEND_BASE/cann/set_env.sh
    else
        die "toolkit installer finished but neither $toolkit_env nor $ASCEND_BASE/cann/set_env.sh exists"
    fi
fi
if [ -n "$nnae_run" ]; then
    run_installer nnae "$nnae_run"
    link_latest "$ASCEND_BASE/nnae"
    [ -f "$nnae_env" ] || die "nnae installer finished but $nnae_env does not exist"
    base_env=$nnae_env
fi
if [ -n "$kernels_run" ]; then
    run_installer "kernels ($CHIP)" "$kernels_run" "$base_env"
fi
if [ -n "$nnal_run" ]; then
    run_installer nnal "$nnal_run" "$base_env"
    [ -f "$ASCEND_BASE/nnal/atb/set_env.sh" ] || log "note: $ASCEND_BASE/nnal/atb/set_env.sh not found after the nnal install"
fi

# ---- the image's ENV must point at directories that exist ----------------------------------
[ -d "$CANN_HOME" ] || die "CANN_HOME=$CANN_HOME does not exist after the install (nnae images: CANN_HOME=$ASCEND_BASE/nnae/latest; CANN >= 8.5.0: $ASCEND_BASE/cann-$VER)"
# Directories of PATH / LD_LIBRARY_PATH / PYTHONPATH / ASCEND_* under $ASCEND_BASE that the installed
# components do not provide are created empty: the driver ones are mount points for the host's
# driver at run time (docker run -v /usr/local/Ascend/driver/lib64:...).
set -f
old_ifs=$IFS
IFS=:
for d in ${PATH:-} ${LD_LIBRARY_PATH:-} ${PYTHONPATH:-} ${ASCEND_TOOLKIT_HOME:-} ${ASCEND_HOME_PATH:-} \
    ${ASCEND_AICPU_PATH:-} ${ASCEND_OPP_PATH:-} ${TOOLCHAIN_HOME:-}; do
    case $d in
        "$ASCEND_BASE"/driver/*)
            if [ ! -d "$d" ]; then mkdir -p "$d"; log "created $d (mount point for the host driver)"; fi ;;
        "$ASCEND_BASE"/*)
            if [ ! -d "$d" ]; then mkdir -p "$d"; log "created empty $d (not provided by the installed components)"; fi ;;
        /usr/local/sbin | /usr/local/bin | /usr/sbin | /usr/bin | /sbin | /bin)
            # the default PATH the Dockerfile falls back to when the parent image sets none
            if [ ! -d "$d" ]; then mkdir -p "$d"; log "created empty $d (default PATH entry)"; fi ;;
        *)
            if [ -n "$d" ] && [ ! -d "$d" ]; then log "warning: $d is on a search path but does not exist (set by the parent image)"; fi ;;
    esac
done
IFS=$old_ifs
set +f

log "CANN $VER installed for $arch: $COMPONENTS${CHIP:+ (chip $CHIP)}"
