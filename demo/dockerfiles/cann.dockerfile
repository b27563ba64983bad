# CANN toolkit per chip, with the layout of a real install: <version>/<arch>-linux with the
# install info, a `latest` link, set_env.sh, and the library path for this architecture.
ARG BASE_IMAGE
FROM ${BASE_IMAGE}
ARG CANN_VERSION
ARG CHIP_TYPE
ARG ARCH
RUN set -e; t=/usr/local/Ascend/ascend-toolkit; \
    mkdir -p $t/${CANN_VERSION}/${ARCH}-linux/lib64 $t/${CANN_VERSION}/bin; \
    printf 'package_name=Ascend-cann-toolkit\nversion=%s\n' "${CANN_VERSION}" > $t/${CANN_VERSION}/${ARCH}-linux/ascend_toolkit_install.info; \
    ln -s ${CANN_VERSION} $t/latest; \
    echo "export ASCEND_TOOLKIT_HOME=$t/latest" > $t/set_env.sh; \
    echo "${CHIP_TYPE}" > /etc/ascend-chip; sleep 1
ENV ASCEND_TOOLKIT_HOME=/usr/local/Ascend/ascend-toolkit/latest \
    LD_LIBRARY_PATH=/usr/local/Ascend/ascend-toolkit/latest/${ARCH}-linux/lib64 \
    PATH=/usr/local/Ascend/ascend-toolkit/latest/bin:/usr/local/bin:/bin
