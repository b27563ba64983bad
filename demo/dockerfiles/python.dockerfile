# OS + Python layer. The demo has no network, so "Python" is a stand-in script with the layout
# of a real source build: /usr/local/bin/python3 -> python3.10, site-packages with pip.
ARG BASE_IMAGE
FROM ${BASE_IMAGE}
ARG PYTHON_VERSION
RUN set -e; sp=/usr/local/lib/python${PYTHON_VERSION}/site-packages; \
    mkdir -p /usr/local/bin $sp/pip-24.0.dist-info; \
    printf 'Metadata-Version: 2.1\nName: pip\nVersion: 24.0\n\n' > $sp/pip-24.0.dist-info/METADATA; \
    printf '#!/bin/sh\ncase "$*" in\n  --version) echo "Python %s.9" ;;\n  "-m pip check") echo "No broken requirements found." ;;\n  *) echo "demo python: $*" ;;\nesac\n' "${PYTHON_VERSION}" > /usr/local/bin/python${PYTHON_VERSION}; \
    chmod +x /usr/local/bin/python${PYTHON_VERSION}; ln -s python${PYTHON_VERSION} /usr/local/bin/python3
ENV PATH=/usr/local/bin:/bin
