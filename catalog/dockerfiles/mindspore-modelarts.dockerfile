# MindSpore fine-tuning image for Huawei Cloud ModelArts, on a CANN toolkit image:
# MindSpore (Ascend) + the toolkit's te/hccl wheels, user ma-user (uid 1000, gid 100) as
# ModelArts requires, optional extra wheels (MoXing, mxTuningKit...) from packages/modelarts/.
ARG BASE_IMAGE
FROM ${BASE_IMAGE}

ARG MINDSPORE_VERSION
ARG MINDSPORE_PACKAGE=mindspore-ascend
ARG MINDSPORE_EXTRA_PACKAGES=

RUN --mount=type=secret,id=proxy --mount=type=secret,id=ca \
    --mount=type=bind,source=scripts/net-env.sh,target=/tmp/adf/net-env.sh \
    --mount=type=bind,source=scripts/pkg-install.sh,target=/tmp/adf/pkg-install.sh \
    --mount=type=bind,source=scripts/install-mindspore.sh,target=/tmp/adf/install-mindspore.sh \
    . /tmp/adf/net-env.sh && sh /tmp/adf/install-mindspore.sh

# Site wheels the ModelArts seed installs (moxing_framework-*.whl, Ascend_mindxsdk_mxTuningKit-*.whl):
# put them in packages/modelarts/ and they are installed from the bind mount; none is fine too.
RUN --mount=type=secret,id=proxy --mount=type=secret,id=ca \
    --mount=type=bind,source=scripts/net-env.sh,target=/tmp/adf/net-env.sh \
    --mount=type=bind,source=packages,target=/tmp/adf/packages \
    . /tmp/adf/net-env.sh && \
    set -- /tmp/adf/packages/modelarts/*.whl && \
    if [ -f "$1" ]; then \
        python3 -m pip install --no-cache-dir -c /etc/adf/pip-constraints.txt "$@"; \
    else \
        echo "no site wheels in packages/modelarts/"; \
    fi

RUN --mount=type=bind,source=scripts/add-ma-user.sh,target=/tmp/adf/add-ma-user.sh \
    sh /tmp/adf/add-ma-user.sh

ENV GLOG_v=2 \
    HOME=/home/ma-user
USER ma-user
WORKDIR /home/ma-user
