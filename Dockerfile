# syntax=docker/dockerfile:1
# The rtad binary on Debian 12 packages, in two stages: a build stage with the
# compilers and -dev packages (the same Debian packages scripts/setup installs),
# and a runtime stage with the shared libraries the binary links and nothing
# else. docker-compose.yml runs it as `rtad node`; any other subcommand works
# too: `docker compose run --rm node db stats`.

ARG DEBIAN_IMAGE=debian:bookworm

FROM ${DEBIAN_IMAGE} AS build
# Boost.Test is needed at configure time even though only the
# `rtad` target is built (the root CMakeLists.txt always configures tests/).
RUN apt-get update \
 && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends \
      build-essential cmake ninja-build pkg-config \
      libcaf-dev librdkafka-dev libpqxx-dev nlohmann-json3-dev libsimdjson-dev \
      libboost-test-dev libcli11-dev libtomlplusplus-dev libssl-dev \
 && rm -rf /var/lib/apt/lists/*
WORKDIR /src
# Only what CMake reads, so that editing the dashboard or the docs does not
# invalidate this layer. A new top-level source folder must be added here.
COPY CMakeLists.txt ./
COPY cmake/ cmake/
COPY models/ models/
COPY config/ config/
COPY messages/ messages/
COPY db/ db/
COPY generator/ generator/
COPY evaluation/ evaluation/
COPY actors/ actors/
COPY apps/ apps/
COPY tests/ tests/
RUN cmake -S . -B build -G Ninja -DCMAKE_BUILD_TYPE=Release -DRTAD_BENCH=OFF \
 && cmake --build build --target rtad \
 && strip build/apps/rtad \
 && build/apps/rtad version

FROM ${DEBIAN_IMAGE} AS runtime
# Exactly the libraries `readelf -d rtad` lists as NEEDED (CAF core, io and
# openssl, librdkafka C and C++, libpqxx, toml++, simdjson, libssl3); their own
# dependencies (libpq5, ...) come with them.
RUN apt-get update \
 && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends \
      libcaf-core0.17 libcaf-io0.17 libcaf-openssl0.17 libssl3 librdkafka1 librdkafka++1 libpqxx-6.4 libtomlplusplus3 libsimdjson14 \
 && rm -rf /var/lib/apt/lists/*
COPY --from=build /src/build/apps/rtad /usr/local/bin/rtad
# Fails the image build if a library is missing instead of failing at start.
RUN ! ldd /usr/local/bin/rtad | grep 'not found' && rtad version
RUN groupadd --system --gid 10001 rtad \
 && useradd --system --uid 10001 --gid rtad --home-dir /var/lib/rtad --create-home \
      --shell /usr/sbin/nologin rtad
WORKDIR /var/lib/rtad
# Container defaults: no services.env lookup (settings come from RTAD_*),
# /metrics, /healthz and /readyz reachable from the container network, the
# admin actor off (node.admin_port = 0) unless someone turns it on.
ENV RTAD_SERVICES_ENV="" \
    RTAD_NODE_METRICS_HOST=0.0.0.0 \
    RTAD_NODE_METRICS_PORT=9464 \
    RTAD_NODE_ADMIN_PORT=0
EXPOSE 9464
USER 10001:10001
# /healthz answers 200 while every essential actor runs. No curl in the
# image: bash's /dev/tcp speaks the one line of HTTP needed.
HEALTHCHECK --interval=10s --timeout=3s --start-period=30s --retries=3 \
  CMD ["bash", "-c", "exec 3<>/dev/tcp/127.0.0.1/${RTAD_NODE_METRICS_PORT:-9464} && printf 'GET /healthz HTTP/1.0\\r\\n\\r\\n' >&3 && head -n 1 <&3 | grep -q ' 200 '"]
ENTRYPOINT ["rtad"]
CMD ["node"]
