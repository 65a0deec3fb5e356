# posgate in a container: `docker build -t posgate . && docker run -p 8080:8080 -v posgate-data:/data posgate`.
# Node 20 is the version CI proves (see the README, Start). The server is PID 1 and started by node
# itself (exec-form CMD, no npm, no shell), so `docker stop` delivers SIGTERM to it and it exits cleanly.
ARG NODE_VERSION=20
FROM node:${NODE_VERSION}-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json tsconfig.json tsconfig.build.json ./
COPY scripts ./scripts
COPY src ./src
COPY bin ./bin
# npm ci compiles better-sqlite3's binding and, through `prepare`, src/ into dist/
RUN npm ci && npm prune --omit=dev

FROM node:${NODE_VERSION}-bookworm-slim
ENV NODE_ENV=production HOST=0.0.0.0 PORT=8080 DATA_DIR=/data
WORKDIR /app
COPY --from=build /app/package.json ./
COPY --from=build /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
COPY --from=build /app/bin ./bin
RUN mkdir -p /data && chown node:node /data
USER node
VOLUME ["/data"]
EXPOSE 8080
# the port the server listens on: PORT as the container runs with it (docker run -e PORT=9090 …)
HEALTHCHECK --interval=10s --timeout=3s CMD ["node", "-e", "fetch('http://127.0.0.1:' + (process.env.PORT || 8080) + '/healthz').then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
STOPSIGNAL SIGTERM
CMD ["node", "--enable-source-maps", "dist/main.js"]
