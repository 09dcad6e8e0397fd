# syntax=docker/dockerfile:1
#
# The openswf image: one static binary on a distroless base, run as a
# non-root user, its SQLite store on the /data volume, SigV4 on by default.
#
#   docker build -t openswf .
#   docker run -p 7930:7930 -v openswf-data:/data \
#     -v "$PWD/principals.json:/etc/openswf/principals.json:ro" openswf
#
# cmd/openswf/packaging_test.go checks this file (stages, static build,
# user, volume, health check, and the settings against the real parser).

# The build runs on the builder's own platform and cross-compiles for the
# target one: the binary is pure Go, so `docker buildx --platform
# linux/arm64` needs no emulation.
FROM --platform=$BUILDPLATFORM golang:1.26 AS build
ARG TARGETOS
ARG TARGETARCH
WORKDIR /src
# Modules first, in their own layer, so a change to the code does not
# download them again.
COPY go.mod go.sum ./
RUN --mount=type=cache,target=/go/pkg/mod \
    go mod download
# The whole context, .git included: the Go toolchain stamps the commit,
# its time and whether the tree was modified into the binary, which
# `openswf version` and the start-up log line print.
COPY . .
# CGO_ENABLED=0 makes the binary static (the SQLite driver is pure Go, so
# nothing is lost); -trimpath keeps the build machine's paths out of it;
# -s -w drop the symbol table and DWARF, a third of its size.
RUN --mount=type=cache,target=/go/pkg/mod \
    --mount=type=cache,target=/root/.cache/go-build \
    CGO_ENABLED=0 GOOS=$TARGETOS GOARCH=$TARGETARCH \
    go build -trimpath -ldflags="-s -w" -o /out/openswf ./cmd/openswf \
 && mkdir -p /out/data

# distroless/static rather than scratch: the same few megabytes, but with
# what a static binary still reads from the system: CA certificates (for
# PostgreSQL over TLS), time zone data, and /etc/passwd naming the nonroot
# user (65532), so the process and its files have a name in it. No shell
# or package manager, so nothing else to patch or exploit.
FROM gcr.io/distroless/static-debian12:nonroot
COPY --from=build /out/openswf /openswf
# The volume's directory, owned by the user that writes it: a named volume
# is created with the ownership of the image's directory.
COPY --from=build --chown=65532:65532 /out/data /data
# Numeric, so that a runtime that refuses root (Kubernetes' runAsNonRoot)
# can check it without reading /etc/passwd.
USER 65532:65532
VOLUME /data
EXPOSE 7930
# The settings go in the environment rather than as flags after `serve`:
# `docker run openswf serve --log-level debug` then keeps them, and
# `openswf healthcheck` reads the same listen address. Every address of the
# container, so signatures are checked (--auth sigv4 is required off
# loopback); the operator mounts the principals file, and sends SIGHUP
# (`docker kill -s HUP`) after changing it.
ENV OPENSWF_LISTEN=0.0.0.0:7930 \
    OPENSWF_STORE=sqlite:/data/openswf.db \
    OPENSWF_AUTH=sigv4 \
    OPENSWF_PRINCIPALS=/etc/openswf/principals.json
# Docker's default stop signal (SIGTERM) starts openswf's graceful
# shutdown; give it longer than --shutdown-timeout (10s) with
# `docker stop -t 15` or the orchestrator's grace period.
STOPSIGNAL SIGTERM
# No curl or wget in the image: the binary probes itself, GETting
# /healthz on the loopback address of $OPENSWF_LISTEN.
HEALTHCHECK --interval=30s --timeout=5s --start-period=10s --retries=3 \
    CMD ["/openswf", "healthcheck"]
ENTRYPOINT ["/openswf"]
CMD ["serve"]
