# syntax=docker/dockerfile:1
#
# The HTTP API and dashboard: spin.toml, its components (wasm32-wasip2) and
# frontend/dist, served by Spin's official image (default target `spin`) or by
# iems' own runtime (target `local-runtime`).
#
#   docker build -f deploy/docker/functions.Dockerfile -t iems-functions:local .
#   docker build -f deploy/docker/functions.Dockerfile --target local-runtime -t iems-functions-local:local .
#
# The build context is the repository root (see .dockerignore).

ARG RUST_IMAGE=rust:1-bookworm
ARG NODE_IMAGE=node:20-bookworm-slim
ARG RUNTIME_IMAGE=debian:bookworm-slim
# Spin 4.0.2 is the release SPIN-FACTS.md describes; the distroless variant has
# the static `spin` binary as its entrypoint and nothing else (no shell).
ARG SPIN_IMAGE=ghcr.io/spinframework/spin:v4.0.2-distroless

# --- the components: spin.toml's own build commands ---------------------------
FROM ${RUST_IMAGE} AS wasm
WORKDIR /src
COPY . .
# Every `command = "..."` of a [component.*.build] table, run in order, then
# every `source = "target/..."` copied out of the cache mount, so the image
# holds exactly what spin.toml names.
RUN --mount=type=cache,id=iems-cargo-registry,target=/usr/local/cargo/registry \
    --mount=type=cache,id=iems-wasm-target,target=/src/target,sharing=locked \
    set -eu; \
    rustup target add wasm32-wasip2; \
    sed -n 's/^command = "\(.*\)"$/\1/p' spin.toml > /tmp/build-commands; \
    test -s /tmp/build-commands; \
    while IFS= read -r cmd; do echo "+ $cmd"; sh -c "$cmd"; done < /tmp/build-commands; \
    sed -n 's/^source = "\(target\/[^"]*\.wasm\)"$/\1/p' spin.toml > /tmp/sources; \
    test -s /tmp/sources; \
    while IFS= read -r src; do install -D -m 0644 "$src" "/out/$src"; done < /tmp/sources; \
    ls -l /out/target/wasm32-wasip2/release

# --- the dashboard ------------------------------------------------------------
FROM ${NODE_IMAGE} AS web
WORKDIR /web
COPY frontend/package.json frontend/package-lock.json ./
RUN --mount=type=cache,id=iems-npm,target=/root/.npm \
    npm ci --no-audit --no-fund
COPY frontend/ ./
# The static component serves a `.gz` sibling when the browser accepts gzip.
RUN npm run build \
 && find dist -type f \( -name '*.js' -o -name '*.css' -o -name '*.html' -o -name '*.svg' -o -name '*.json' \) \
      -size +1k -exec gzip -k -9 -n {} +

# --- what both runtimes load --------------------------------------------------
FROM scratch AS app
COPY spin.toml /app/spin.toml
COPY --from=wasm /out/target /app/target
COPY --from=web /web/dist /app/frontend/dist

# --- iems' own runtime (compose profile `local-runtime`) ----------------------
FROM ${RUST_IMAGE} AS native
WORKDIR /src
COPY . .
# Same cache ids as iems.Dockerfile: built once for both images.
RUN --mount=type=cache,id=iems-cargo-registry,target=/usr/local/cargo/registry \
    --mount=type=cache,id=iems-native-target,target=/src/target,sharing=locked \
    cargo build --release --locked --bin iems \
 && install -D -m 0755 target/release/iems /out/iems

FROM ${RUNTIME_IMAGE} AS local-runtime
# Debian stable's current versions (security updates), not pinned ones.
# hadolint ignore=DL3008
RUN apt-get update \
 && apt-get install -y --no-install-recommends ca-certificates curl \
 && rm -rf /var/lib/apt/lists/* \
 && groupadd --system --gid 10001 iems \
 && useradd --system --uid 10001 --gid iems --home-dir /app --shell /usr/sbin/nologin iems \
 && mkdir -p /data \
 && chown iems:iems /data
COPY --from=native /out/iems /usr/local/bin/iems
COPY --from=app /app /app
WORKDIR /app
# Numeric, so Kubernetes can check runAsNonRoot without /etc/passwd.
USER 10001:10001
ENV RUST_LOG=info \
    IEMS_LOG_FORMAT=json \
    IEMS_DATA=/data \
    IEMS_WASM_CACHE_DIR=/data/wasmtime-cache
EXPOSE 3000
ENTRYPOINT ["/usr/local/bin/iems"]
CMD ["serve-functions", "--listen", "0.0.0.0:3000", "--manifest", "/app/spin.toml"]

# --- Spin itself (default target) ---------------------------------------------
FROM ${SPIN_IMAGE} AS spin
COPY --from=app /app /app
WORKDIR /app
EXPOSE 3000
# The image's entrypoint is `spin`; these are its arguments. Variables come
# from SPIN_VARIABLE_* in the environment or `--variable name=@file`.
CMD ["up", "--from", "/app/spin.toml", "--listen", "0.0.0.0:3000"]
