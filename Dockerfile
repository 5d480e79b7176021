# The platform's worker image (docker-compose.yml). Build stage compiles TypeScript and prebuilds
# the workflow bundle; the runtime stage carries production dependencies and dist/ only.
FROM node:20-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci
COPY . .
RUN npm run build

FROM node:20-bookworm-slim
ARG CODE_VERSION=unknown
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
ENTRYPOINT []
CMD ["npm", "run", "worker:cpu"]
