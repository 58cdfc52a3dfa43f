# One image for every role: web (gunicorn), Celery worker and Celery beat (see docker-compose.yml).
FROM python:3.12-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    JOINEDUP_VAR_DIR=/app/var

WORKDIR /app
COPY requirements.txt ./
RUN pip install --no-cache-dir -r requirements.txt

COPY . .
# collectstatic needs settings, not secrets: a throwaway key for the build step only.
RUN SECRET_KEY=collectstatic-only python manage.py collectstatic --noinput --verbosity 0 \
    && useradd --system --home-dir /app joinedup \
    && mkdir -p /app/var \
    && chown -R joinedup /app/var

USER joinedup
EXPOSE 8000
CMD ["gunicorn", "coordination.wsgi", "--bind", "0.0.0.0:8000", "--workers", "3", "--access-logfile", "-"]
