# Python base: build tools, the OS libraries CANN needs, and CPython built from source into
# /usr/local/python<X.Y> (same approach as Ascend's CANN images). Root of every stack, so
# BASE_IMAGE is an OS image: ubuntu:22.04, or openEuler for the ModelArts stack.
ARG BASE_IMAGE=ubuntu:22.04
FROM ${BASE_IMAGE}

ARG PYTHON_VERSION=3.10
ARG PYTHON_FULL_VERSION=
ARG PYTHON_MIRROR=https://www.python.org/ftp/python
ARG PIP_INDEX=

ENV PATH=/usr/local/python${PYTHON_VERSION}/bin:${PATH:-/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin} \
    PIP_ROOT_USER_ACTION=ignore \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    PYTHONIOENCODING=utf-8

RUN --mount=type=secret,id=proxy --mount=type=secret,id=ca \
    --mount=type=bind,source=scripts/net-env.sh,target=/tmp/adf/net-env.sh \
    --mount=type=bind,source=scripts/pkg-install.sh,target=/tmp/adf/pkg-install.sh \
    --mount=type=bind,source=scripts/install-python.sh,target=/tmp/adf/install-python.sh \
    . /tmp/adf/net-env.sh && sh /tmp/adf/install-python.sh

WORKDIR /workspace
CMD ["/bin/bash"]
