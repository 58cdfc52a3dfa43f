"""Settings for the server under benchmark: the production settings, unchanged,
plus a URL configuration that adds the bare comparison view.

Used only by bench/load.py (DJANGO_SETTINGS_MODULE=bench.settings), so the bare
view never exists in a deployment. Every other value still comes from the
environment exactly as in production (DJANGO_DEBUG off, ALLOWED_HOSTS, ...)."""

from coordination.settings import *  # noqa: F403

ROOT_URLCONF = "bench.urls"
