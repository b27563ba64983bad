# CANN layer: toolkit (or nnae) + the chip's kernels (ops from 8.5.0) + nnal, installed from
# installers in packages/ that are bind-mounted into the build, never copied into a layer.
# A component listed in INSTALL_COMPONENTS without its installer stops the build (install-cann.sh).
# Architecture comes from the build platform (uname -m): installer names follow it.
# Works on any parent with a POSIX sh (python base, or a busybox test image).
ARG BASE_IMAGE
FROM ${BASE_IMAGE}

ARG CANN_VERSION
ARG CHIP_TYPE=
ARG INSTALL_COMPONENTS=toolkit,kernels,nnal
# ENV below points here; nnae images: /usr/local/Ascend/nnae/latest; CANN >= 8.5.0: /usr/local/Ascend/cann-<ver>
ARG CANN_HOME=/usr/local/Ascend/ascend-toolkit/latest
ARG CANN_INSTALL_FLAGS="--install --quiet --install-for-all"
# python packages CANN's tools import (CANN install guide); numpy stays 1.x under CANN 8.x
ARG CANN_PY_DEPS="attrs cython numpy==1.24.0 decorator sympy cffi pyyaml pathlib2 psutil protobuf==3.20.0 scipy requests absl-py"
ARG TARGETARCH

# The same variables set_env.sh exports (as in Ascend's CANN images). Driver directories are
# mount points for the host driver at run time; the devlib stubs are never on this path.
ENV ASCEND_TOOLKIT_HOME=${CANN_HOME} \
    ASCEND_HOME_PATH=${CANN_HOME} \
    ASCEND_AICPU_PATH=${CANN_HOME} \
    ASCEND_OPP_PATH=${CANN_HOME}/opp \
    TOOLCHAIN_HOME=${CANN_HOME}/toolkit \
    LD_LIBRARY_PATH=${CANN_HOME}/lib64:${CANN_HOME}/lib64/plugin/opskernel:${CANN_HOME}/lib64/plugin/nnengine:/usr/local/Ascend/driver/lib64/common:/usr/local/Ascend/driver/lib64/driver${LD_LIBRARY_PATH:+:${LD_LIBRARY_PATH}} \
    PYTHONPATH=${CANN_HOME}/python/site-packages:${CANN_HOME}/opp/built-in/op_impl/ai_core/tbe${PYTHONPATH:+:${PYTHONPATH}} \
    PATH=${CANN_HOME}/bin:${CANN_HOME}/compiler/ccec_compiler/bin:${PATH:-/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin}

RUN --mount=type=secret,id=proxy --mount=type=secret,id=ca \
    --mount=type=bind,source=packages,target=/tmp/adf/packages \
    --mount=type=bind,source=scripts/install-cann.sh,target=/tmp/adf/install-cann.sh \
    sh /tmp/adf/install-cann.sh

# Run-time environment: entrypoint and interactive shells load set_env.sh (toolkit/nnae, nnal).
COPY scripts/ascend-env.sh /etc/profile.d/ascend-env.sh
COPY scripts/ascend-entrypoint.sh /usr/local/bin/ascend-entrypoint.sh
RUN chmod 0644 /etc/profile.d/ascend-env.sh && chmod 0755 /usr/local/bin/ascend-entrypoint.sh && \
    for rc in /etc/bash.bashrc /etc/bashrc; do \
        if [ -f "$rc" ]; then \
            printf '\n# adf: CANN environment\n[ -f /etc/profile.d/ascend-env.sh ] && . /etc/profile.d/ascend-env.sh\n' >> "$rc"; \
        fi; \
    done
ENTRYPOINT ["/usr/local/bin/ascend-entrypoint.sh"]
