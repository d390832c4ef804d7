# syntax=docker/dockerfile:1
# The acid-guard admission webhook (docs/webhook.md, "Install").
#
#   docker build -t acid-guard-webhook:0.1.0 .
#
# Two stages. "build" installs every dependency (esbuild and TypeScript build the bundle) and runs
# `npm run build`. The webhook's bundle, webhook/dist/main.js with the chunks it loads on demand
# (dist/chunks/: the cluster sources and the Kubernetes client, read only with --cluster), already
# holds its production dependencies (fastify, pino, prom-client, @acid-guard/validator, the Kubernetes
# client) — esbuild put them in — so "runtime" copies those files, their licence notices, the bin and
# package.json, and no node_modules at all: no dev dependency, no npm, no shell, no package manager.
#
# Node 22 (LTS until April 2027): Node 20, the lowest the packages support, is past its end of life.
ARG NODE_MAJOR=22

FROM node:${NODE_MAJOR}-bookworm-slim AS build
WORKDIR /src
ENV CI=true \
    npm_config_audit=false \
    npm_config_fund=false \
    npm_config_update_notifier=false
# Dependencies first, so that this layer is cached until the lock file changes. No scripts yet: the
# root package's "prepare" would build before the sources are here.
COPY package.json package-lock.json tsconfig.json ./
COPY packages/validator/package.json packages/validator/
COPY webhook/package.json webhook/
RUN npm ci --ignore-scripts
COPY scripts/ scripts/
COPY packages/validator/ packages/validator/
COPY webhook/ webhook/
RUN npm run build \
 && node webhook/bin/acid-guard-webhook.js --version

FROM gcr.io/distroless/nodejs${NODE_MAJOR}-debian12:nonroot AS runtime
WORKDIR /app
ENV NODE_ENV=production
COPY --from=build /src/webhook/package.json webhook/package.json
COPY --from=build /src/webhook/bin/ webhook/bin/
COPY --from=build /src/webhook/dist/main.js /src/webhook/dist/THIRD-PARTY-LICENSES.txt webhook/dist/
COPY --from=build /src/webhook/dist/chunks/ webhook/dist/chunks/
# distroless "nonroot": uid and gid 65532, no home directory to write to. The Deployment runs it with
# runAsNonRoot and a read-only root filesystem.
USER 65532:65532
EXPOSE 8443
ENTRYPOINT ["/nodejs/bin/node", "/app/webhook/bin/acid-guard-webhook.js"]
