"""How many public queries run at once, in all and per client: one gate for every engine.

The worker pool (``pool.py``) and the engine over a remote store (``remote_engine.py``)
admit each query here before it runs and release it once its worker or thread has let go,
so ``QUERY_WORKERS``, ``CLIENT_QUERIES`` and ``QUERY_QUEUE_WAIT_S`` mean the same whichever
engine stands behind ``/sparql``: a client at its share is refused at once (429), and a
query finding every slot taken waits up to the queue time for one, then is refused (503).
"""

from __future__ import annotations

import threading
import time

from ifrc_kg.store import QueryError


class EngineBusy(QueryError):
    """No worker is free (or too many slow queries run): try again shortly."""


class TooManyClientQueries(QueryError):
    """This client already runs its share of queries."""


class Admission:
    """At most ``slots`` queries at once and ``per_client`` for any one client (by address).

    Thread-safe; ``admit`` blocks (up to ``queue_wait_s``), so the event loop calls it from
    a thread.
    """

    def __init__(self, slots: int, per_client: int, queue_wait_s: float) -> None:
        self.slots = slots
        self.per_client = per_client
        self.queue_wait_s = queue_wait_s
        self._changed = threading.Condition()
        self._running = 0
        self._by_client: dict[str, int] = {}
        self._closed = False

    @property
    def running(self) -> int:
        """Queries admitted and not yet released."""
        return self._running

    def admit(self, client: str, *, wait: bool = True) -> bool:
        """Take a slot for ``client``, waiting for one up to ``queue_wait_s``.

        Raises ``TooManyClientQueries`` when the client already runs its share (no wait: its
        own queries are what it waits for), ``EngineBusy`` when no slot frees in time or the
        engine is closing. ``wait=False`` (from the event loop): ``False`` at once instead
        of waiting for a slot.
        """
        give_up = time.monotonic() + (self.queue_wait_s if wait else 0.0)
        with self._changed:
            while True:
                if self._by_client.get(client, 0) >= self.per_client:
                    raise TooManyClientQueries(
                        f"this client already runs {self.per_client} queries at once; "
                        "wait for one to finish"
                    )
                if self._running < self.slots and not self._closed:
                    self._running += 1
                    self._by_client[client] = self._by_client.get(client, 0) + 1
                    return True
                if not wait and not self._closed:
                    return False
                remaining = give_up - time.monotonic()
                if remaining <= 0 or self._closed:
                    raise EngineBusy("every query slot is busy; try again shortly")
                self._changed.wait(remaining)

    def release(self, client: str) -> None:
        """Give back the slot ``admit`` gave ``client``."""
        with self._changed:
            self._running -= 1
            left = self._by_client.get(client, 1) - 1
            if left:
                self._by_client[client] = left
            else:
                self._by_client.pop(client, None)
            self._changed.notify_all()

    def close(self) -> None:
        """Refuse every query from now on; wake those waiting for a slot."""
        with self._changed:
            self._closed = True
            self._changed.notify_all()
