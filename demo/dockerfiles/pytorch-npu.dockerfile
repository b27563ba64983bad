# PyTorch + torch_npu: their dist-info metadata as pip would write it, and numpy 1.x.
ARG BASE_IMAGE
FROM ${BASE_IMAGE}
ARG TORCH_VERSION
ARG TORCH_NPU_VERSION
RUN set -e; sp=/usr/local/lib/python3.10/site-packages; \
    for p in torch-${TORCH_VERSION} torch_npu-${TORCH_NPU_VERSION} numpy-1.26.4; do \
      mkdir -p $sp/$p.dist-info; \
      printf 'Metadata-Version: 2.1\nName: %s\nVersion: %s\n\n' "${p%-*}" "${p##*-}" > $sp/$p.dist-info/METADATA; \
    done; sleep 1
