ARG BASE_IMAGE
FROM ${BASE_IMAGE}
ARG TORCH_VERSION
ARG TORCH_NPU_VERSION
RUN mkdir -p /usr/local/lib/python3.10/site-packages/torch-${TORCH_VERSION}.dist-info \
             /usr/local/lib/python3.10/site-packages/torch_npu-${TORCH_NPU_VERSION}.dist-info && sleep 1
