# syntax=docker/dockerfile:1
#
# The native `iems` command (migrate, broker-adapter, ws-hub, simulate, ...):
# one image, the sub-command chosen by the container's arguments.
#
#   docker build -f deploy/docker/iems.Dockerfile -t iems:local .
#   docker run --rm iems:local --help
#
# The build context is the repository root (see .dockerignore).

ARG RUST_IMAGE=rust:1-bookworm
ARG RUNTIME_IMAGE=debian:bookworm-slim

FROM ${RUST_IMAGE} AS build
WORKDIR /src
# rust-toolchain.toml pins the channel; rustup installs it on first use.
COPY . .
# The registry and target caches are BuildKit cache mounts shared with
# functions.Dockerfile's local-runtime stage (same ids), so the second image
# reuses the first one's compiled crates.
RUN --mount=type=cache,id=iems-cargo-registry,target=/usr/local/cargo/registry \
    --mount=type=cache,id=iems-native-target,target=/src/target,sharing=locked \
    cargo build --release --locked --bin iems \
 && install -D -m 0755 target/release/iems /out/iems

FROM ${RUNTIME_IMAGE} AS runtime
# curl: the health checks (`curl -fsS http://127.0.0.1:PORT/healthz`);
# ca-certificates: amqps:// and https:// (simulate --api-url).
# Debian stable's current versions (security updates), not pinned ones.
# hadolint ignore=DL3008
RUN apt-get update \
 && apt-get install -y --no-install-recommends ca-certificates curl \
 && rm -rf /var/lib/apt/lists/* \
 && groupadd --system --gid 10001 iems \
 && useradd --system --uid 10001 --gid iems --home-dir /app --shell /usr/sbin/nologin iems \
 && mkdir -p /app /data \
 && chown iems:iems /data
COPY --from=build /out/iems /usr/local/bin/iems
# spin.toml: `iems spin-config` reads it; sensor.csv: the simulator's default CSV.
COPY spin.toml sensor.csv /app/
WORKDIR /app
# Numeric, so Kubernetes can check runAsNonRoot without /etc/passwd.
USER 10001:10001
ENV RUST_LOG=info \
    IEMS_LOG_FORMAT=json \
    IEMS_DATA=/data
ENTRYPOINT ["/usr/local/bin/iems"]
CMD ["--help"]
