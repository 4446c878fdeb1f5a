# syntax=docker/dockerfile:1
# The steps mirror package.json: `npm run build` (tsc -p tsconfig.build.json) in the build stage,
# `npm ci --omit=dev` and `npm start` (node dist/src/server.js) in the runtime stage.

# Build stage: full install, compile TypeScript.
FROM node:20-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
# Scripts are skipped only here: `prepare` would build before the sources are copied (they come
# in a later layer, so that changing them does not reinstall the dependencies); the build is the
# explicit step below.
RUN npm ci --ignore-scripts --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json ./
COPY src ./src
COPY bench ./bench
COPY schemas ./schemas
RUN npm run build

# Runtime stage: production dependencies only, non-root. `npm ci --omit=dev` runs `prepare`,
# which sees that TypeScript is not installed and leaves the build to the stage above.
FROM node:20-bookworm-slim AS runtime
ENV NODE_ENV=production PORT=3000 HOST=0.0.0.0
WORKDIR /app
COPY package.json package-lock.json ./
COPY scripts/prepare.mjs ./scripts/
RUN npm ci --omit=dev --no-audit --no-fund && npm cache clean --force
COPY --from=build /app/dist ./dist
COPY schemas ./schemas
COPY app.yml ./
USER node
EXPOSE 3000
HEALTHCHECK --interval=30s --timeout=3s CMD node -e "fetch('http://127.0.0.1:'+(process.env.PORT||3000)+'/healthz').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"
CMD ["node", "dist/src/server.js"]
