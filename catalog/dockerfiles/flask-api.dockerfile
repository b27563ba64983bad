# Small HTTP API image: Flask served by gunicorn on port 8080, with a /health endpoint in
# /app/app.py. Replace /app/app.py (COPY in a child image, or a volume) with your service.
ARG BASE_IMAGE
FROM ${BASE_IMAGE}

ARG FLASK_VERSION
ARG GUNICORN_VERSION

RUN --mount=type=secret,id=proxy --mount=type=secret,id=ca \
    --mount=type=bind,source=scripts/net-env.sh,target=/tmp/adf/net-env.sh \
    . /tmp/adf/net-env.sh && \
    python3 -m pip install --no-cache-dir "flask==${FLASK_VERSION}" "gunicorn==${GUNICORN_VERSION}" && \
    mkdir -p /app && \
    printf '%s\n' \
        'from flask import Flask, jsonify' \
        '' \
        'app = Flask(__name__)' \
        '' \
        '' \
        '@app.get("/health")' \
        'def health():' \
        '    return jsonify(status="ok")' \
        > /app/app.py

WORKDIR /app
EXPOSE 8080
CMD ["gunicorn", "--bind", "0.0.0.0:8080", "--workers", "2", "app:app"]
