#!/bin/sh
# install-mindspore.sh: MindSpore (Ascend build) on a CANN toolkit image.
#
# As MindSpore's pip install guide for 1.x: gmp, then the toolkit's own te and hccl wheels, then
# the MindSpore wheel for this Python and architecture (PyPI publishes mindspore-ascend up to
# 1.10.0; later versions are named "mindspore"). Pins MindSpore and numpy in
# /etc/adf/pip-constraints.txt. Env (Dockerfile ARGs): MINDSPORE_VERSION (required),
# MINDSPORE_PACKAGE (default mindspore-ascend), MINDSPORE_EXTRA_PACKAGES.
# Expects net-env.sh sourced by the caller and pkg-install.sh next to this file. POSIX sh.
set -eu
die() { echo "install-mindspore: ERROR: $*" >&2; exit 1; }
here=$(dirname "$0")
[ -n "${MINDSPORE_VERSION:-}" ] || die "MINDSPORE_VERSION is not set"
pkg=${MINDSPORE_PACKAGE:-mindspore-ascend}
home=${ASCEND_TOOLKIT_HOME:-/usr/local/Ascend/ascend-toolkit/latest}
c=/etc/adf/pip-constraints.txt
mkdir -p /etc/adf
touch "$c"

sh "$here/pkg-install.sh" --apt "libgmp-dev" --rpm "gmp gmp-devel"

# te / hccl wheels shipped inside the toolkit (lib64 in CANN 5.x, fwkacllib/lib64 before)
set -- 
for name in te hccl; do
    whl=""
    for w in "$home"/lib64/"$name"-*-py3-none-any.whl "$home"/fwkacllib/lib64/"$name"-*-py3-none-any.whl; do
        if [ -f "$w" ]; then whl=$w; break; fi
    done
    [ -n "$whl" ] || die "the toolkit under $home has no $name-*-py3-none-any.whl (is this a CANN toolkit image?)"
    set -- "$@" "$whl"
done
python3 -m pip install --no-cache-dir -c "$c" "$@"

# shellcheck disable=SC2086  # word list
python3 -m pip install --no-cache-dir -c "$c" "$pkg==$MINDSPORE_VERSION" ${MINDSPORE_EXTRA_PACKAGES:-}

np=$(python3 -m pip show numpy | sed -n 's/^Version: //p')
{ grep -v -i -E '^(mindspore|mindspore-ascend|numpy)[[:space:]]*([=<>!~;]|$)' "$c" || true; \
  echo "$pkg==$MINDSPORE_VERSION"; echo "numpy==$np"; } > "$c.tmp"
mv "$c.tmp" "$c"
python3 -m pip show "$pkg" | sed -n 's/^Version: /mindspore /p'
