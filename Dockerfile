# Build stage: the full Rust toolchain; rustls everywhere, so no OpenSSL is needed at run time.
FROM rust:1.95-slim-bookworm AS build
WORKDIR /src
COPY Cargo.toml Cargo.lock ./
COPY src src
COPY data data
COPY locales locales
COPY migrations migrations
COPY examples examples
COPY tests tests
# A workspace member (dev-only): cargo needs its manifest to read the workspace; it is not built.
COPY test-support test-support
RUN cargo build --release --locked --bin kuaidi-bot

# Runtime stage: a slim Debian with the binary, running as an unprivileged user.
FROM debian:bookworm-slim
RUN apt-get update \
    && apt-get install -y --no-install-recommends ca-certificates tzdata \
    && rm -rf /var/lib/apt/lists/* \
    && useradd --system --uid 10001 --user-group --create-home --home-dir /data kuaidi
COPY --from=build /src/target/release/kuaidi-bot /usr/local/bin/kuaidi-bot
USER kuaidi
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
