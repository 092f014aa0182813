# The runner image: one image for every role (worker, schedule sync, sandbox, serve); the command picks the role.
FROM node:24-slim AS build
WORKDIR /app
COPY package.json package-lock.json tsconfig.json ./
COPY scripts ./scripts
COPY schemas ./schemas
COPY src ./src
# npm ci runs `prepare`, which bundles src/ into dist/ (scripts/build.ts, with the dev dependency esbuild).
RUN npm ci && npm prune --omit=dev

FROM node:24-slim
ENV NODE_ENV=production
WORKDIR /app
COPY --from=build /app/package.json ./
COPY --from=build /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
COPY --from=build /app/schemas ./schemas
COPY workflows ./workflows
# Run records and the sandbox's SQLite files live here; mount a volume to keep them.
RUN mkdir -p /app/.runner && chown node:node /app/.runner
USER node
ENTRYPOINT ["node", "dist/cli/main.js"]
CMD ["--help"]
