# The platform's worker image (docker-compose.yml). Build stage compiles TypeScript and prebuilds
# the workflow bundle; the runtime stage carries production dependencies and dist/ only.
FROM node:24-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci
COPY . .
RUN npm run build

FROM node:24-bookworm-slim
ARG CODE_VERSION=unknown
# tini as PID 1 (docker-compose.yml also sets init: true): it forwards SIGTERM to node, so a worker
# drains its activities on `docker stop`, and reaps what trainers leave behind.
RUN apt-get update && apt-get install -y --no-install-recommends tini && rm -rf /var/lib/apt/lists/*
ENV NODE_ENV=production MLOPS_CODE_VERSION=${CODE_VERSION}
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --omit=dev && npm cache clean --force
COPY --from=build /app/dist ./dist
COPY cli/mlops.mjs ./cli/mlops.mjs
# The prediction server's spill folder (docker-compose.yml mounts a volume there), owned by the
# user it runs as; a new volume takes this ownership.
RUN mkdir -p /var/lib/mlops/serving && chown node:node /var/lib/mlops/serving
USER node
ENTRYPOINT ["/usr/bin/tini", "--"]
CMD ["node", "cli/mlops.mjs", "worker", "--pool", "cpu"]
