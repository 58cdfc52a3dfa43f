# One image for every role: web (gunicorn), Celery worker and Celery beat (see docker-compose.yml).
FROM python:3.12-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    JOINEDUP_VAR_DIR=/app/var

WORKDIR /app
# The runtime part of requirements.lock, entries copied with their hashes (no dev tools in the image);
# --no-deps installs exactly those pins and `pip check` fails the build if one were missing.
COPY pyproject.toml requirements.lock ./
COPY scripts/lock.py scripts/
RUN python scripts/lock.py --runtime > /tmp/runtime.lock \
    && pip install --no-cache-dir --require-hashes --no-deps -r /tmp/runtime.lock \
    && pip check \
    && rm /tmp/runtime.lock

COPY . .
# collectstatic and compiletranslations (the portal's .po files to .mo, pure Python) need settings,
# not secrets: a throwaway key for the build step only.
RUN SECRET_KEY=collectstatic-only python manage.py collectstatic --noinput --verbosity 0 \
    && SECRET_KEY=collectstatic-only python manage.py compiletranslations --verbosity 0 \
    && useradd --system --home-dir /app joinedup \
    && mkdir -p /app/var/audit-archive \
    && chown -R joinedup /app/var

USER joinedup
EXPOSE 8000
CMD ["gunicorn", "coordination.wsgi", "--config", "python:coordination.gunicorn_conf", "--bind", "0.0.0.0:8000", "--workers", "3"]
