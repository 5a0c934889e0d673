# syntax=docker/dockerfile:1
# One image for every service: `docker run IMAGE <service>` runs `node dist/src/main.js <service>`.
# Build: docker build -t boutique-seckill:0.1.0 .   (make image)
ARG NODE_IMAGE=node:20-bookworm-slim

# deps: the full dependency tree (dev tools included) for the TypeScript build.
FROM ${NODE_IMAGE} AS deps
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund

# build: compile src/ (including the committed src/gen) to dist/.
FROM deps AS build
COPY tsconfig.json tsconfig.build.json ./
COPY src ./src
RUN npx tsc -p tsconfig.build.json

# prod-deps: runtime dependencies only, without install-time caches.
FROM ${NODE_IMAGE} AS prod-deps
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --no-audit --no-fund && npm cache clean --force

# runtime: what the process reads at run time. paths.ts finds the root by package.json; protos/ feed gRPC
# reflection, lua/ the Redis scripts, drizzle/ the migrations applied at start (MYSQL_MIGRATE_ON_START).
FROM ${NODE_IMAGE} AS runtime
ENV NODE_ENV=production
WORKDIR /app
COPY --from=prod-deps /app/node_modules ./node_modules
COPY package.json ./
COPY --from=build /app/dist/src ./dist/src
COPY protos ./protos
COPY lua ./lua
COPY web ./web
COPY drizzle ./drizzle
# The base image's unprivileged "node" user (uid/gid 1000); the files stay root-owned and read-only to it.
USER 1000:1000
# gRPC ports: checkout 5050, productcatalog 3550, order 5060, cart 7070, currency 7000, payment 50051,
# shipping 50052, email 5000, ledger 5070, cdc 5072; gateway HTTP 8080; Prometheus metrics 9464.
EXPOSE 5050 3550 5060 7070 7000 50051 50052 5000 5070 5072 8080 9464
ENTRYPOINT ["node", "dist/src/main.js"]
CMD ["all"]
