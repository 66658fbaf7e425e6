# Build stage: the full Rust toolchain; rustls everywhere, so no OpenSSL is needed at run time.
FROM rust:1.95-slim-bookworm AS build
WORKDIR /src
COPY Cargo.toml Cargo.lock ./
COPY src src
COPY data data
COPY locales locales
# The web page's askama templates, compiled into the binary.
COPY templates templates
COPY migrations migrations
COPY examples examples
COPY tests tests
# A workspace member (dev-only): cargo needs its manifest to read the workspace; it is not built.
COPY test-support test-support
RUN cargo build --release --locked --bin kuaidi-bot

# Runtime stage: a slim Debian with the binary, running as an unprivileged user.
FROM debian:bookworm-slim
# Unpinned on purpose (hadolint DL3008): Debian drops superseded versions from its archive, so a pin
# breaks the build at the next point release, and CA certificates and time zones should be current.
# hadolint ignore=DL3008
RUN apt-get update \
    && apt-get install -y --no-install-recommends ca-certificates tzdata \
    && rm -rf /var/lib/apt/lists/* \
    && groupadd --system --gid 10001 kuaidi \
    && useradd --system --uid 10001 --gid kuaidi --create-home --home-dir /data kuaidi
COPY --from=build /src/target/release/kuaidi-bot /usr/local/bin/kuaidi-bot
# Numeric, so that the host (and runAsNonRoot checks) can resolve it: kuaidi:kuaidi.
USER 10001:10001
WORKDIR /data
ENV DATABASE_URL=sqlite:///data/kuaidi-bot.db \
    CONSOLE_DATABASE_URL=sqlite:///data/kuaidi-bot-console.db \
    RUST_LOG=info \
    HTTP_ADDR=0.0.0.0:8080
# Health, readiness and metrics (see README, "Operating it").
EXPOSE 8080
VOLUME ["/data"]
ENTRYPOINT ["kuaidi-bot"]
CMD ["run"]
