"""Lists answer {count, next, previous, results}; a first page that is not full needs no COUNT query."""

from django.db import connection
from django.test.utils import CaptureQueriesContext

from agencies.api.base import Pagination
from cases import services as case_services


def _count_queries(ctx) -> int:
    return sum(1 for q in ctx.captured_queries if q["sql"].lstrip().upper().startswith("SELECT COUNT("))


def test_a_first_page_that_is_not_full_counts_its_own_rows(scene, client_as):
    client = client_as("sam")
    with CaptureQueriesContext(connection) as ctx:
        body = client.get("/api/v1/cases/").json()
    assert body["count"] == len(body["results"]) == 2
    assert body["next"] is None and body["previous"] is None
    assert _count_queries(ctx) == 0


def test_a_full_first_page_counts_everything_and_links_the_next(scene, client_as, monkeypatch):
    monkeypatch.setattr(Pagination, "page_size", 2)
    case_services.case_open(title="Third case", people=[scene.maya], lead=scene.sam, actor=scene.sam.user)
    client = client_as("sam")
    with CaptureQueriesContext(connection) as ctx:
        first = client.get("/api/v1/cases/").json()
    assert first["count"] == 3 and len(first["results"]) == 2
    assert first["next"] and first["next"].endswith("page=2")
    assert _count_queries(ctx) == 1
    pages = [q for q in ctx.captured_queries if 'FROM "cases_case"' in q["sql"] and "COUNT(" not in q["sql"]]
    assert len(pages) == 1, "the first page is fetched once"
    second = client.get(first["next"]).json()
    assert second["count"] == 3 and len(second["results"]) == 1 and second["next"] is None
    ids = {r["id"] for r in first["results"]} | {r["id"] for r in second["results"]}
    assert len(ids) == 3


def test_a_page_past_the_end_is_404(scene, client_as):
    assert client_as("sam").get("/api/v1/cases/?page=9").status_code == 404


def test_a_full_first_page_counts_only_what_the_filters_keep(scene, client_as, monkeypatch):
    """Unfiltered, the count comes from the viewer's assignments; filtered, from the filtered list."""
    monkeypatch.setattr(Pagination, "page_size", 1)
    case_services.case_close(case=scene.case2, reason="Support no longer needed", actor=scene.sam.user)
    client = client_as("sam")
    assert client.get("/api/v1/cases/").json()["count"] == 2
    assert client.get("/api/v1/cases/?status=open").json()["count"] == 1
    assert client.get("/api/v1/cases/?status=closed").json()["count"] == 1
    assert client.get("/api/v1/cases/?q=Adeyemi").json()["count"] == 1
    assert client_as("oz").get("/api/v1/cases/").json()["count"] == 0
