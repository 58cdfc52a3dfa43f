"""The application's URLs plus `/bench/bare/`: a minimal Django JSON view behind the
same middleware stack, the yardstick every endpoint's throughput is divided by."""

from django.http import HttpRequest, JsonResponse
from django.urls import path

from coordination import urls as app_urls
from coordination.urls import *  # noqa: F403  (error handlers, if the app defines them)


def bare(request: HttpRequest) -> JsonResponse:
    return JsonResponse({"status": "ok"})


urlpatterns = [path("bench/bare/", bare, name="bench-bare"), *app_urls.urlpatterns]
