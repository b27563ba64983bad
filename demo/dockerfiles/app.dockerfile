ARG BASE_IMAGE
FROM ${BASE_IMAGE}
ARG APP
RUN mkdir -p /app && echo "${APP}" > /app/name
