# shellcheck shell=sh
# net-env.sh: sourced (". /tmp/adf/net-env.sh") at the start of RUN steps that use the network.
#
# Credentials never enter an ARG, an ENV or a layer: they arrive as BuildKit secrets, mounted
# only for the RUN that asks for them (RUN --mount=type=secret,id=proxy --mount=type=secret,id=ca),
# and this file turns them into environment variables of that RUN alone.
#   /run/secrets/proxy  proxy URL, e.g. http://user:pass@proxy.example:8080
#   /run/secrets/ca     PEM bundle of trusted CAs (corporate TLS interception)
# Without the secrets nothing changes. POSIX sh (dash, bash, busybox ash).

if [ -s /run/secrets/proxy ]; then
    ADF_PROXY=$(tr -d '\r\n' < /run/secrets/proxy)
    http_proxy=$ADF_PROXY
    https_proxy=$ADF_PROXY
    HTTP_PROXY=$ADF_PROXY
    HTTPS_PROXY=$ADF_PROXY
    no_proxy=${no_proxy:-localhost,127.0.0.1,::1}
    NO_PROXY=$no_proxy
    export http_proxy https_proxy HTTP_PROXY HTTPS_PROXY no_proxy NO_PROXY
    unset ADF_PROXY
fi

if [ -s /run/secrets/ca ]; then
    PIP_CERT=/run/secrets/ca
    REQUESTS_CA_BUNDLE=/run/secrets/ca
    SSL_CERT_FILE=/run/secrets/ca
    CURL_CA_BUNDLE=/run/secrets/ca
    GIT_SSL_CAINFO=/run/secrets/ca
    export PIP_CERT REQUESTS_CA_BUNDLE SSL_CERT_FILE CURL_CA_BUNDLE GIT_SSL_CAINFO
fi
