# Image for the gateway and the action server (Python 3.11). Rasa runs from the official
# rasa/rasa:3.6.21 image (see docker-compose.yml).
FROM python:3.11-slim
ENV PIP_DISABLE_PIP_VERSION_CHECK=1 HF_HUB_OFFLINE=1 TRANSFORMERS_OFFLINE=1 \
    TOKENIZERS_PARALLELISM=false PYTHONUNBUFFERED=1
WORKDIR /app
COPY constraints/app.txt constraints/app.txt
RUN pip install --no-cache-dir "torch==2.13.0" --index-url https://download.pytorch.org/whl/cpu
COPY pyproject.toml README.md ./
COPY knowledge_base knowledge_base
COPY actions actions
COPY bot bot
COPY api api
COPY channels channels
COPY console console
COPY civic civic
COPY bench bench
RUN grep -v '^torch==' constraints/app.txt > /tmp/c.txt && \
    pip install --no-cache-dir -c /tmp/c.txt . && \
    useradd --system --uid 1001 civic && mkdir -p /app/var && chown civic /app/var
USER civic
EXPOSE 8000 5055
CMD ["uvicorn", "civic.app:create_app", "--factory", "--host", "0.0.0.0", "--port", "8000", \
     "--http", "civic.http_server:OneWriteHttpToolsProtocol"]
