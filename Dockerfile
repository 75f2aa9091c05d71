# The parley binary in a small image: built static, run as a non-root user.
#
#   docker build -t parley .
#   docker run --rm -v "$PWD/bots.toml:/etc/parley/bots.toml:ro" -p 9090:9090 parley
#
# The configuration is read from /etc/parley/bots.toml; state files belong
# under /var/lib/parley (a volume). Set [server] listen = "0.0.0.0:9090"
# to reach /healthz, /readyz and /metrics from outside the container.
FROM golang:1.26 AS build
WORKDIR /src
COPY go.mod go.sum ./
RUN go mod download
COPY . .
RUN CGO_ENABLED=0 go build -trimpath -ldflags="-s -w" -o /out/parley ./cmd/parley

FROM gcr.io/distroless/static-debian12:nonroot
COPY --from=build /out/parley /usr/local/bin/parley
USER nonroot:nonroot
WORKDIR /var/lib/parley
VOLUME ["/var/lib/parley"]
EXPOSE 9090
ENTRYPOINT ["/usr/local/bin/parley"]
CMD ["run", "-c", "/etc/parley/bots.toml"]
