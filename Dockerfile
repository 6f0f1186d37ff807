# Worker image for docker-compose.yml (production-like). Not built on the dev machines (no Docker engine).
FROM python:3.11-slim
WORKDIR /app
COPY pyproject.toml README.md ./
COPY domain domain
COPY workflows workflows
COPY activities activities
COPY *.py ./
RUN pip install --no-cache-dir '.[postgres]'
USER nobody
CMD ["python", "worker.py"]
