ARG BASE_IMAGE
FROM ${BASE_IMAGE}
ARG PYTHON_VERSION
RUN mkdir -p /usr/local/lib/python${PYTHON_VERSION}/site-packages && echo "Python ${PYTHON_VERSION}" > /etc/python-version
