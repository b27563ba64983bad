# Ascend model tools on a pytorch-npu image: msIT (MindStudio inference tools, `msit`) and
# msModelSlim (quantization/compression, `msmodelslim`), from PyPI, plus the msIT components
# listed in MSIT_COMPONENTS (built with the CANN/NNAL environment loaded).
ARG BASE_IMAGE
FROM ${BASE_IMAGE}
SHELL ["/bin/bash", "-o", "pipefail", "-c"]

ARG MSIT_VERSION
ARG MSMODELSLIM_VERSION
ARG MSIT_COMPONENTS=llm

RUN --mount=type=secret,id=proxy --mount=type=secret,id=ca \
    --mount=type=bind,source=scripts/net-env.sh,target=/tmp/adf/net-env.sh \
    --mount=type=bind,source=scripts/cann-build-env.sh,target=/tmp/adf/cann-build-env.sh \
    . /tmp/adf/net-env.sh && \
    python3 -m pip install --no-cache-dir -c /etc/adf/pip-constraints.txt \
        "msit==${MSIT_VERSION}" "msmodelslim==${MSMODELSLIM_VERSION}" && \
    . /tmp/adf/cann-build-env.sh && \
    for comp in ${MSIT_COMPONENTS}; do msit install "$comp"; done && \
    rm -rf /root/.cache
