#!/bin/sh
# Entrypoint of adf's Ascend images: loads the CANN environment, then runs the command
# (an interactive shell when there is none). Keeps the exit code and signals of the command.
if [ -z "${BASH_VERSION:-}" ] && [ -z "${ADF_ENTRYPOINT_BASH:-}" ] && command -v bash >/dev/null 2>&1; then
    ADF_ENTRYPOINT_BASH=1 exec bash "$0" "$@"
fi
unset ADF_ENTRYPOINT_BASH

# shellcheck disable=SC1091
_adf_load() { . /etc/profile.d/ascend-env.sh; }
if [ -f /etc/profile.d/ascend-env.sh ]; then _adf_load; fi
unset -f _adf_load 2>/dev/null || true

if [ "$#" -eq 0 ]; then
    if command -v bash >/dev/null 2>&1; then set -- bash; else set -- sh; fi
fi
exec "$@"
