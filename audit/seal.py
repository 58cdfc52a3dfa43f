"""Tampering shows: the trail is sealed in order into a chain of keyed digests.

`seal()` (beat, every minute: `manage.py audit_seal`) digests every event recorded
before `now - AUDIT_SEAL_DELAY_SECONDS` and after the last seal, in (at, id) order,
with HMAC-SHA256 under AUDIT_SEAL_KEY, chained to the previous seal's digest.
`verify()` (beat, daily: `manage.py audit_verify`) recomputes every seal from the
events as they are now: an UPDATE, DELETE, TRUNCATE, a bypassed trigger or an insert
back-dated into a sealed window changes a digest or a count, and the first broken
seal is named. The key is not in the database, so whoever can write the tables
cannot forge a seal. The delay leaves transactions still open at sealing time room to
commit before their window is sealed.

Floor 1: knows nothing of ours. May use: Django only.
"""

from __future__ import annotations

import hashlib
import hmac
import json
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any

from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone

from audit.models import AuditArchive, AuditEvent, AuditSeal, AuditVerification

FIELDS = [
    "id",
    "at",
    "action",
    "actor_user_id",
    "actor",
    "actor_name",
    "actor_agency",
    "person",
    "case",
    "subject_type",
    "subject_id",
    "subject_agency",
    "basis",
    "ip",
    "detail",
]
CHUNK = 5000
PG_FETCH = 20_000  # rows per round trip of the server-side cursor (two short strings each)


def _key() -> bytes:
    return str(settings.AUDIT_SEAL_KEY).encode()


def _line(row: tuple[Any, ...]) -> bytes:
    """The canonical bytes of one event (FIELDS in order): the definition of what a seal digests."""
    values = []
    for value in row:
        if isinstance(value, datetime):
            values.append(value.astimezone(UTC).isoformat())
        elif isinstance(value, dict | list):
            values.append(_json(value))
        else:
            values.append("" if value is None else str(value))
    return "\x1f".join(values).encode() + b"\x1e"


_ENCODER = json.JSONEncoder(sort_keys=True, separators=(",", ":"))  # json.dumps(value, sort_keys=True, ...)
_DECODER = json.JSONDecoder()


def _json(value: Any) -> str:
    return _ENCODER.encode(value)


def _window(sealed_from: datetime | None, sealed_until: datetime) -> Iterable[tuple[Any, ...]]:
    qs = AuditEvent.objects.filter(at__lt=sealed_until)
    if sealed_from is not None:
        qs = qs.filter(at__gte=sealed_from)
    return qs.order_by("at", "id").values_list(*FIELDS).iterator(chunk_size=CHUNK)


def _chunks_generic(sealed_from: datetime | None, sealed_until: datetime) -> Iterator[tuple[bytes, int]]:
    """The window's canonical bytes in chunks, row by row through the ORM (any database)."""
    batch: list[bytes] = []
    for row in _window(sealed_from, sealed_until):
        batch.append(_line(row))
        if len(batch) == CHUNK:
            yield b"".join(batch), len(batch)
            batch = []
    if batch:
        yield b"".join(batch), len(batch)


# PostgreSQL writes each event's canonical text but the detail's (the same bytes `_line` makes:
# ISO 8601 UTC time with microseconds only when there are any, '' for NULL, the inet's own
# output form), so Python only canonicalises the JSON and feeds the HMAC. The key never
# reaches the database: only the rows come up.
_PG_AT = (  # timestamp_out (DateStyle ISO, set below) is ~5x cheaper than to_char; it trims zeros
    "replace(rpad((at AT TIME ZONE 'UTC')::text, "
    "CASE WHEN date_part('microseconds', at)::int %% 1000000 = 0 THEN 19 ELSE 26 END, '0'), ' ', 'T') || '+00:00'"
)
_PG_TEXT = {
    "id": "id::text",
    "at": _PG_AT,
    "actor_user_id": "coalesce(actor_user_id::text, '')",
    "ip": "coalesce(abbrev(ip), '')",
}
_PG_LINE = "concat_ws(chr(31), {}) || chr(31)".format(
    ", ".join(_PG_TEXT.get(f, f"coalesce(\"{f}\"::text, '')") for f in FIELDS if f != "detail")
)


def detail_text(text: str | None) -> str:
    """What `_line` makes of the detail column read as JSON text (None: SQL NULL)."""
    value = _DECODER.raw_decode(text)[0] if text is not None else None  # jsonb's text: no leading space
    if isinstance(value, dict | list):
        return _json(value)
    return "" if value is None else str(value)


def _chunks_postgresql(sealed_from: datetime | None, sealed_until: datetime) -> Iterator[tuple[bytes, int]]:
    """The window's canonical bytes in chunks, from a server-side cursor: two strings per row."""
    where, params = "at < %s", [sealed_until]
    if sealed_from is not None:
        where, params = "at >= %s AND at < %s", [sealed_from, sealed_until]
    sql = f"SELECT {_PG_LINE}, detail::text FROM audit_auditevent WHERE {where} ORDER BY at, id"  # noqa: S608
    canonical: dict[str | None, str] = {"{}": "{}\x1e"}  # details repeat: each one canonicalised once
    with transaction.atomic(), connection.chunked_cursor() as cursor:
        with connection.cursor() as settings_cursor:
            settings_cursor.execute("SET LOCAL datestyle = 'ISO, YMD'")
            settings_cursor.execute("SET LOCAL work_mem = '64MB'")  # a day's window sorts in memory
        cursor.execute(sql, params)
        while rows := cursor.fetchmany(PG_FETCH):
            parts: list[str] = []
            append = parts.append
            for line, detail in rows:
                append(line)
                tail = canonical.get(detail)
                if tail is None:
                    tail = detail_text(detail) + "\x1e"
                    if len(canonical) < 10_000:
                        canonical[detail] = tail
                append(tail)
            yield "".join(parts).encode(), len(rows)


def _chunks(sealed_from: datetime | None, sealed_until: datetime) -> Iterator[tuple[bytes, int]]:
    if connection.vendor == "postgresql":
        return _chunks_postgresql(sealed_from, sealed_until)
    return _chunks_generic(sealed_from, sealed_until)


def window_mac(previous: str, sealed_from: datetime | None, sealed_until: datetime) -> Any:
    """The keyed HMAC of a seal's window, fed its chain link and bounds; then each event's
    canonical bytes in (at, id) order, then `|count`."""
    mac = hmac.new(_key(), digestmod=hashlib.sha256)
    mac.update(previous.encode())
    mac.update(b"|" + (sealed_from.isoformat() if sealed_from else "").encode())
    mac.update(b"|" + sealed_until.isoformat().encode() + b"|")
    return mac


def _digest(
    previous: str, sealed_from: datetime | None, sealed_until: datetime, chunks: Iterable[tuple[bytes, int]]
) -> tuple[str, int]:
    mac = window_mac(previous, sealed_from, sealed_until)
    count = 0
    for data, n in chunks:
        mac.update(data)
        count += n
    mac.update(f"|{count}".encode())
    return mac.hexdigest(), count


def window_digest(previous: str, sealed_from: datetime | None, sealed_until: datetime) -> tuple[str, int]:
    """The keyed digest and count of the events now in [sealed_from, sealed_until), chained
    to `previous`: what `seal` stores and `verify` recomputes."""
    return _digest(previous, sealed_from, sealed_until, _chunks(sealed_from, sealed_until))


def month_start_after(moment: datetime) -> datetime:
    """The first instant of the UTC month after `moment`'s: the partitions' boundaries."""
    utc = moment.astimezone(UTC)
    return datetime(utc.year + utc.month // 12, utc.month % 12 + 1, 1, tzinfo=UTC)


@transaction.atomic
def seal(*, now: datetime | None = None) -> AuditSeal | None:
    """Seal every event not sealed yet that is older than the delay; the newest seal made,
    None when there is nothing new. A window never crosses a UTC month boundary (the
    partitions' boundaries): sealing across one makes one seal per month, so a month
    retired with its partition takes whole seals with it (docs/decisions/0044). Safe to
    run twice at once: the second waits on the lock and finds nothing new (or fails on
    the unique `sealed_until`)."""
    now = now or timezone.now()
    final = now - timedelta(seconds=settings.AUDIT_SEAL_DELAY_SECONDS)
    last = AuditSeal.objects.select_for_update().order_by("-id").first()
    made: AuditSeal | None = None
    while True:
        sealed_from = last.sealed_until if last is not None else None
        if sealed_from is not None and final <= sealed_from:
            return made
        start = sealed_from
        if start is None:
            start = AuditEvent.objects.filter(at__lt=final).order_by("at").values_list("at", flat=True).first()
        until = final if start is None else min(final, month_start_after(start))
        previous = last.digest if last is not None else ""
        digest, count = window_digest(previous, sealed_from, until)
        if count == 0 and last is not None and until == final:
            return made  # an empty minute needs no seal: the next one covers it
        last = made = AuditSeal.objects.create(
            sealed_at=now,
            sealed_from=sealed_from,
            sealed_until=until,
            events=count,
            previous_digest=previous,
            digest=digest,
        )
        if until == final:
            return made


@dataclass
class Verification:
    ok: bool
    seals: int
    events: int
    first_broken_seal: int | None = None
    problem: str = ""


def archive_digest(*, month: date, partition: str, events: int, sha256: str) -> str:
    """The keyed digest of an archive record (AuditArchive): made by `audit.partitions`
    when a month is retired, checked by `verify`."""
    message = f"{month.isoformat()}|{partition}|{events}|{sha256}".encode()
    return hmac.new(_key(), message, digestmod=hashlib.sha256).hexdigest()


def _archived_until() -> tuple[datetime | None, str]:
    """The end of the months retired from the database (their events exported, their
    partitions detached), and the problem with the archive records if any: each must
    carry the key's digest, and the months must follow one another."""
    until: datetime | None = None
    for archive in AuditArchive.objects.order_by("month"):
        expected = archive_digest(
            month=archive.month, partition=archive.partition, events=archive.events, sha256=archive.sha256
        )
        if not hmac.compare_digest(expected, archive.digest):
            return until, f"archive record of {archive.month:%Y-%m} was not made with the key"
        start = datetime(archive.month.year, archive.month.month, 1, tzinfo=UTC)
        if until is not None and start != until:
            return until, f"archive records skip from {until:%Y-%m} to {archive.month:%Y-%m}"
        until = month_start_after(start)
    return until, ""


def verify(*, record: bool = True) -> Verification:
    """Recompute the whole chain; the first seal whose link, count or digest differs is
    broken. Events after the last seal but dated inside a sealed window (a back-dated
    insert) break that seal too: they are inside its window. Seals of months retired
    from the database (AuditArchive, each keyed) are checked by their links only: their
    events left with their partition, and verification recomputes from the first seal
    after them (docs/decisions/0044). The result is recorded (`AuditVerification`) for
    the IG pages."""
    previous_digest, previous_until = "", None
    seals = events = 0
    result: Verification | None = None
    archived_until, archive_problem = _archived_until()
    if archive_problem:
        result = Verification(False, 0, 0, None, archive_problem)
    for s in AuditSeal.objects.order_by("id").iterator() if result is None else ():
        seals += 1
        if s.previous_digest != previous_digest or s.sealed_from != previous_until:
            result = Verification(False, seals, events, s.pk, f"seal {s.pk} is not chained to the seal before it")
            break
        if archived_until is not None and s.sealed_until <= archived_until:
            previous_digest, previous_until = s.digest, s.sealed_until  # retired with its month
            continue
        digest, count = window_digest(previous_digest, s.sealed_from, s.sealed_until)
        if count != s.events:
            result = Verification(
                False, seals, events, s.pk, f"seal {s.pk}: {count} events now in its window, {s.events} sealed"
            )
            break
        if not hmac.compare_digest(digest, s.digest):
            result = Verification(False, seals, events, s.pk, f"seal {s.pk}: an event in its window was changed")
            break
        events += count
        previous_digest, previous_until = s.digest, s.sealed_until
    if result is None:
        result = Verification(True, seals, events)
    if record:
        AuditVerification.objects.create(
            ok=result.ok,
            seals=result.seals,
            events=result.events,
            first_broken_seal=result.first_broken_seal,
            problem=result.problem[:300],
        )
    return result


def last_verification() -> AuditVerification | None:
    return AuditVerification.objects.order_by("-at", "-id").first()
