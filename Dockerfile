# One image for docker-compose.yml: the worker (default command) and the web workspace
# (`python -m uvicorn web.main:app`). Not built on the dev machines (no Docker engine there).
FROM python:3.11-slim
WORKDIR /app
COPY pyproject.toml README.md ./
COPY domain domain
COPY workflows workflows
# activities includes the register's migrations (activities/migrations), run at every start.
COPY activities activities
COPY web web
# The application: settings, the Temporal client, the codec, the worker and the CLI (worker.py and starter.py
# at the top are their entry points).
COPY app app
COPY examples examples
COPY *.py ./
# Bytecode compiled now: the worker runs as nobody, who cannot write /app, and the workflow sandbox
# imports the workflow's module afresh for every case, which would compile it from source each time.
RUN pip install --no-cache-dir '.[postgres]' \
 && python -m compileall -q /app \
 && mkdir -p /app/data/exports && chown -R nobody:nogroup /app/data
USER nobody
CMD ["python", "worker.py"]
