"""gunicorn's configuration for every web process (Procfile, Dockerfile, docker-compose.yml):
`gunicorn coordination.wsgi --config python:coordination.gunicorn_conf`.

The access log is one JSON object per request with no query string and the calendar secret
redacted (coordination/logs.py, docs/decisions/0036); bind address and workers stay on the
command line of each place that starts gunicorn."""

accesslog = "-"
logger_class = "coordination.logs.GunicornLogger"
access_log_format = (
    '{"time": "%(t)s", "remote": "%(h)s", "method": "%(m)s", "path": "%(U)s", "status": "%(s)s", '
    '"bytes": "%(B)s", "duration_ms": "%(M)s", "request_id": "%({x-request-id}o)s", "agent": "%(a)s"}'
)
# No control socket: several checkouts (and containers) may run on one machine at once.
control_socket_disable = True
