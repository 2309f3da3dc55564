# syntax=docker/dockerfile:1
# CareEdge gateway image: compiled JavaScript on Node 20, non-root, for amd64 and arm64
# (Raspberry Pi). Build: docker build -t careedge/gateway . ; or `docker compose up` (see README).

# --- build: every dependency (native better-sqlite3 compiled here), then the bundle -----------
FROM node:20-bookworm-slim AS build
# Tools for a native module without a prebuilt binary for the platform (node-gyp).
RUN apt-get update \
  && apt-get install -y --no-install-recommends python3 make g++ \
  && rm -rf /var/lib/apt/lists/*
WORKDIR /src
# Manifests first: the dependency layer is rebuilt only when they change.
COPY package.json package-lock.json ./
COPY edge/package.json edge/
COPY gateway/package.json gateway/
COPY firmware-sim/package.json firmware-sim/
COPY dashboards/package.json dashboards/
# `npm install` with the lockfile installs exactly what it pins; `npm ci` refuses this lockfile, which
# cannot list the optional platform builds the registry does not carry (see scripts/bootstrap.sh).
RUN npm install --no-audit --no-fund
COPY . .
RUN npm run build
# Only what the bundle loads at run time stays: production dependencies, no workspace links.
RUN npm prune --omit=dev --no-audit --no-fund \
  && rm -rf node_modules/@careedge

# --- runtime: the bundle and production node_modules, nothing else ---------------------------
FROM node:20-bookworm-slim AS runtime
# Without a config file the gateway runs the bundled example site; docker-compose.yml mounts a
# config (CAREEDGE_CONFIG) and a site file. TLS is on in the image whatever the config: HTTPS
# (8443) and MQTT over TLS (8883) with a certificate generated on first start unless tls.certFile
# is set; plain HTTP stays on the container's loopback (its health check). Set these to false to
# run without TLS, knowingly.
ENV NODE_ENV=production \
  CAREEDGE_DATA_DIR=/var/lib/careedge \
  CAREEDGE_HTTP__TLS__ENABLED=true \
  CAREEDGE_MQTT__TLS__ENABLED=true
WORKDIR /opt/careedge
COPY --from=build /src/package.json ./
COPY --from=build /src/node_modules ./node_modules
COPY --from=build /src/dist ./dist
# The SQLite files (alerts, audit trail, outbox) live in a volume owned by the unprivileged user.
RUN mkdir -p /var/lib/careedge && chown node:node /var/lib/careedge
VOLUME /var/lib/careedge
USER node
EXPOSE 1883 8883 8080 8443
# 503 while degraded (storage, clock): Docker marks the container unhealthy.
HEALTHCHECK --interval=30s --timeout=5s --start-period=30s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:8080/healthz').then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
CMD ["node", "--enable-source-maps", "--max-semi-space-size=4", "--heap-growing-percent=35", "dist/gateway/main.js"]
