#!/bin/sh
# pkg-install.sh --apt "deb packages" --rpm "rpm packages"
#
# Installs OS packages with whichever package manager the image has (apt-get on Ubuntu/Debian,
# dnf or yum on openEuler/EulerOS/CentOS), then drops the package caches so they stay out of the
# layer. Proxy and CA come from net-env.sh when the caller sourced it. POSIX sh.
set -eu

apt_pkgs=""
rpm_pkgs=""
while [ "$#" -gt 0 ]; do
    case $1 in
        --apt) apt_pkgs=$2; shift 2 ;;
        --rpm) rpm_pkgs=$2; shift 2 ;;
        *) echo "pkg-install: unknown argument '$1' (use --apt \"...\" --rpm \"...\")" >&2; exit 2 ;;
    esac
done

if command -v apt-get >/dev/null 2>&1; then
    [ -n "$apt_pkgs" ] || exit 0
    set -- -y -q
    if [ -n "${SSL_CERT_FILE:-}" ]; then set -- "$@" -o "Acquire::https::CAInfo=$SSL_CERT_FILE"; fi
    DEBIAN_FRONTEND=noninteractive apt-get "$@" update
    # shellcheck disable=SC2086  # package lists are word lists
    DEBIAN_FRONTEND=noninteractive apt-get "$@" install --no-install-recommends $apt_pkgs
    apt-get clean
    rm -rf /var/lib/apt/lists/*
elif command -v dnf >/dev/null 2>&1 || command -v yum >/dev/null 2>&1; then
    [ -n "$rpm_pkgs" ] || exit 0
    pm=yum
    if command -v dnf >/dev/null 2>&1; then pm=dnf; fi
    set -- -y
    if [ -n "${SSL_CERT_FILE:-}" ]; then set -- "$@" "--setopt=sslcacert=$SSL_CERT_FILE"; fi
    # shellcheck disable=SC2086
    "$pm" "$@" install $rpm_pkgs
    "$pm" clean all
    rm -rf /var/cache/dnf /var/cache/yum
else
    echo "pkg-install: no apt-get, dnf or yum in this image; install these yourself: apt: $apt_pkgs / rpm: $rpm_pkgs" >&2
    exit 1
fi
