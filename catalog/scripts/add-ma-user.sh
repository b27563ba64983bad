#!/bin/sh
# add-ma-user.sh: the user ModelArts runs training and notebook containers as:
# ma-user, uid 1000, gid 100 (group "users"), home /home/ma-user.
# Fails with a clear message when uid 1000 or gid 100 belong to someone else. POSIX sh.
set -eu
die() { echo "add-ma-user: ERROR: $*" >&2; exit 1; }

if ! getent group 100 >/dev/null 2>&1; then
    groupadd -g 100 users
fi
group=$(getent group 100 | cut -d: -f1)

if getent passwd ma-user >/dev/null 2>&1; then
    [ "$(id -u ma-user)" = 1000 ] || die "user ma-user exists with uid $(id -u ma-user), ModelArts needs 1000"
    [ "$(id -g ma-user)" = 100 ] || die "user ma-user exists with gid $(id -g ma-user), ModelArts needs 100"
else
    if getent passwd 1000 >/dev/null 2>&1; then
        die "uid 1000 already belongs to $(getent passwd 1000 | cut -d: -f1); ModelArts needs ma-user there"
    fi
    useradd -m -d /home/ma-user -s /bin/bash -u 1000 -g 100 ma-user
fi
mkdir -p /home/ma-user/work
chown -R 1000:100 /home/ma-user
echo "add-ma-user: ma-user uid=$(id -u ma-user) gid=$(id -g ma-user) ($group)"
