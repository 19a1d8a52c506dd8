"""Rate limits that hold under concurrency, on SQLite and PostgreSQL alike.

``take(key, limit, window)`` counts the key's events inside the window and records one
more if there is room — with the key's row locked (``SELECT … FOR UPDATE``) for the
rest of the caller's transaction, so ten simultaneous requests are counted one after
the other, not all against the same stale count. Call it inside ``transaction.atomic``:
if the caller's transaction rolls back, the event goes with it.

Keys never hold an address or a person's words: :func:`address_key` hashes a
normalised address.
"""

from __future__ import annotations

import hashlib
from datetime import timedelta

from django.db import transaction
from django.utils import timezone

from .models import LimitEvent, LimitKey

# Longest window any caller uses; events older than this are pruned.
LONGEST_WINDOW = timedelta(days=31)

GMAIL_DOMAINS = {"gmail.com": "gmail.com", "googlemail.com": "gmail.com"}


def normalise_mailbox(address: str) -> str:
    """The mailbox an address delivers to: lower case, without a ``+tag``, and for
    providers that ignore dots in the local part (Gmail) without dots."""
    address = (address or "").strip().lower()
    local, at, domain = address.rpartition("@")
    if not at:
        return address
    local = local.split("+", 1)[0] or local
    if domain in GMAIL_DOMAINS:
        domain = GMAIL_DOMAINS[domain]
        local = local.replace(".", "")
    return f"{local}@{domain}"


def address_hash(address: str) -> str:
    """A stable hash of the normalised mailbox (SHA-256; not reversible by reading it)."""
    return hashlib.sha256(f"individuate-mailbox:{normalise_mailbox(address)}".encode()).hexdigest()


def address_key(prefix: str, address: str) -> str:
    return f"{prefix}:{address_hash(address)[:40]}"


def lock(*keys: str) -> None:
    """Lock these keys' rows until the current transaction ends (sorted: no deadlocks)."""
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("limits.lock() must run inside transaction.atomic")
    ordered = sorted(set(keys))
    for _ in range(3):  # a nightly prune may delete a key between the insert and the lock
        LimitKey.objects.bulk_create([LimitKey(key=k) for k in ordered], ignore_conflicts=True)
        locked = LimitKey.objects.select_for_update().filter(key__in=ordered).order_by("key")
        if len(list(locked.values_list("pk", flat=True))) == len(ordered):
            return
    raise RuntimeError(f"could not lock {ordered}")


def count(key: str, window: timedelta) -> int:
    return LimitEvent.objects.filter(key__key=key, at__gt=timezone.now() - window).count()


def take(key: str, limit: int, window: timedelta) -> bool:
    """Record one use of ``key`` if fewer than ``limit`` happened within ``window``."""
    lock(key)
    if count(key, window) >= limit:
        return False
    record(key)
    return True


def record(key: str) -> LimitEvent:
    """Count one use (the caller already holds the lock and checked the count)."""
    return LimitEvent.objects.create(key=LimitKey.objects.get(key=key), at=timezone.now())


def prune() -> int:
    """Forget events older than the longest window, and keys with no events left."""
    deleted, _ = LimitEvent.objects.filter(at__lte=timezone.now() - LONGEST_WINDOW).delete()
    LimitKey.objects.filter(events__isnull=True).delete()
    return deleted
