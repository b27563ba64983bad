# shellcheck shell=sh
# cann-build-env.sh: sourced from bash in RUN steps that compile against CANN or import torch_npu
# during the build (vllm-ascend's custom kernels, plugins that import verl/torch_npu).
#
# Loads the CANN and NNAL environment and puts CANN's devlib stubs (libascend_hal.so & co: there
# is no driver in a build) on LD_LIBRARY_PATH, derived from `uname -m`, as vllm-ascend's and
# verl's Dockerfiles do (…/latest/<arch>-linux/devlib and …/<arch>-linux/devlib/linux/<arch>).
# For this RUN only: the image's ENV never carries the stubs, so the host driver wins at run time.

# shellcheck disable=SC1091
_adf_load_env() { . /etc/profile.d/ascend-env.sh; }
unset ADF_ASCEND_ENV
_adf_load_env
unset -f _adf_load_env
_adf_arch=$(uname -m)
for _adf_d in "${ASCEND_TOOLKIT_HOME:-/usr/local/Ascend/ascend-toolkit/latest}/${_adf_arch}-linux/devlib" \
    "${ASCEND_TOOLKIT_HOME:-/usr/local/Ascend/ascend-toolkit/latest}/${_adf_arch}-linux/devlib/linux/${_adf_arch}"; do
    if [ -d "$_adf_d" ]; then LD_LIBRARY_PATH="$_adf_d${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}"; fi
done
export LD_LIBRARY_PATH
unset _adf_arch _adf_d
