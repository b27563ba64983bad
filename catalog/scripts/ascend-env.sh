# shellcheck shell=sh
# /etc/profile.d/ascend-env.sh: installed by adf's CANN recipe (scripts/ascend-env.sh).
#
# Loads the CANN environment (toolkit, CANN >= 8.5 or nnae set_env.sh) and NNAL (ATB, SiP) when
# they are installed. The image's ENV already carries the main paths; this adds what set_env.sh
# computes at run time. Sourced by the image's entrypoint, by login shells and by bash's
# system-wide bashrc; loading it twice is harmless.
#
# CANN's set_env scripts are written for bash: they are sourced from bash, or from plain sh only
# when the image has no bash at all (minimal images).

# shellcheck disable=SC1090
_adf_source() { . "$_adf_f"; }   # a function, so the scripts see no positional parameters

if [ -z "${ADF_ASCEND_ENV:-}" ]; then
    if [ -n "${BASH_VERSION:-}" ] || ! command -v bash >/dev/null 2>&1; then
        for _adf_f in /usr/local/Ascend/ascend-toolkit/set_env.sh /usr/local/Ascend/cann/set_env.sh \
            /usr/local/Ascend/nnae/set_env.sh; do
            if [ -f "$_adf_f" ]; then
                _adf_source
                break
            fi
        done
        for _adf_f in /usr/local/Ascend/nnal/atb/set_env.sh /usr/local/Ascend/nnal/asdsip/set_env.sh; do
            if [ -f "$_adf_f" ]; then _adf_source; fi
        done
        ADF_ASCEND_ENV=1
        export ADF_ASCEND_ENV
    fi
fi
unset _adf_f
unset -f _adf_source 2>/dev/null || true
