#!/bin/sh
# install-python.sh: the base layer of every stack.
#
# Installs build tools and the OS libraries CANN's installers and tools expect (CANN install
# guide: gcc g++ make cmake zlib openssl sqlite libffi bz2 libxslt unzip pciutils net-tools blas
# gfortran), then builds CPython from source into /usr/local/python<X.Y> (as Ascend's own CANN
# images do, under /usr/local/python<X.Y.Z>), so every OS gets the same interpreter.
#
# Env (Dockerfile ARGs): PYTHON_VERSION (X.Y, required), PYTHON_FULL_VERSION (X.Y.Z, optional),
# PYTHON_MIRROR (directory holding <X.Y.Z>/Python-<X.Y.Z>.tgz), PIP_INDEX (optional: the image's pip index-url).
# Expects net-env.sh to be sourced by the caller and pkg-install.sh next to this file. POSIX sh.
set -eu

die() { echo "install-python: ERROR: $*" >&2; exit 1; }
here=$(dirname "$0")

[ -n "${PYTHON_VERSION:-}" ] || die "PYTHON_VERSION is not set (e.g. 3.10)"
full=${PYTHON_FULL_VERSION:-}
if [ -z "$full" ]; then
    case $PYTHON_VERSION in
        3.9) full=3.9.23 ;;
        3.10) full=3.10.17 ;;
        3.11) full=3.11.13 ;;
        *) die "no default patch release for Python $PYTHON_VERSION; pass PYTHON_FULL_VERSION" ;;
    esac
fi
case $full in
    "$PYTHON_VERSION".*) ;;
    *) die "PYTHON_FULL_VERSION=$full is not a Python $PYTHON_VERSION release" ;;
esac
mirror=${PYTHON_MIRROR:-https://www.python.org/ftp/python}
prefix=/usr/local/python$PYTHON_VERSION

sh "$here/pkg-install.sh" \
    --apt "ca-certificates curl wget git patch unzip xz-utils bzip2 tar procps less \
           gcc g++ make cmake pkg-config gfortran libblas-dev libblas3 liblapack-dev \
           zlib1g zlib1g-dev openssl libssl-dev libffi-dev libbz2-dev liblzma-dev libsqlite3-dev \
           libreadline-dev libncursesw5-dev libgdbm-dev uuid-dev libxslt1-dev \
           pciutils net-tools tzdata" \
    --rpm "ca-certificates curl wget git patch unzip xz bzip2 tar procps-ng less findutils which \
           shadow-utils gcc gcc-c++ make cmake pkgconfig gcc-gfortran blas-devel lapack-devel \
           zlib zlib-devel openssl openssl-devel libffi-devel bzip2-devel xz-devel sqlite-devel \
           readline-devel ncurses-devel gdbm-devel libuuid-devel libxslt-devel \
           pciutils net-tools tzdata"

src=/tmp/adf-python-src
rm -rf "$src"
mkdir -p "$src"
echo "install-python: downloading $mirror/$full/Python-$full.tgz"
curl -fsSL --retry 3 "$mirror/$full/Python-$full.tgz" -o "$src/python.tgz"
tar -xzf "$src/python.tgz" -C "$src"
cd "$src/Python-$full"
./configure --prefix="$prefix" --enable-shared --enable-loadable-sqlite-extensions \
    --with-ensurepip=install LDFLAGS="-Wl,-rpath,$prefix/lib" >/dev/null
make -j"$(nproc)" >/dev/null
make install >/dev/null
cd /
rm -rf "$src" "$prefix/lib/python$PYTHON_VERSION/test"

echo "$prefix/lib" > "/etc/ld.so.conf.d/adf-python$PYTHON_VERSION.conf"
ldconfig
for tool in python3 "python$PYTHON_VERSION" pip3 "pip$PYTHON_VERSION"; do
    ln -sf "$prefix/bin/$tool" "/usr/local/bin/$tool"
done
ln -sf "$prefix/bin/python3" /usr/local/bin/python
ln -sf "$prefix/bin/pip3" /usr/local/bin/pip

"$prefix/bin/python3" -m pip install --no-cache-dir --upgrade pip wheel
if [ -n "${PIP_INDEX:-}" ]; then
    "$prefix/bin/python3" -m pip config --global set global.index-url "$PIP_INDEX"
fi
"$prefix/bin/python3" -c 'import ssl, sqlite3, ctypes, lzma, bz2, zlib, readline, uuid; print("python modules ok")'
"$prefix/bin/python3" --version
