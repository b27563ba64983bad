ARG BASE_IMAGE
FROM ${BASE_IMAGE}
ARG CANN_VERSION
ARG CHIP_TYPE
RUN mkdir -p /usr/local/Ascend/ascend-toolkit/${CANN_VERSION} && \
    echo "version=${CANN_VERSION}" > /usr/local/Ascend/ascend-toolkit/${CANN_VERSION}/version.info && \
    echo "export ASCEND_TOOLKIT_HOME=/usr/local/Ascend/ascend-toolkit/${CANN_VERSION}" > /usr/local/Ascend/ascend-toolkit/set_env.sh && \
    echo "${CHIP_TYPE}" > /etc/ascend-chip && sleep 1
ENV ASCEND_TOOLKIT_HOME=/usr/local/Ascend/ascend-toolkit/${CANN_VERSION}
