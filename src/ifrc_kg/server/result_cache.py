"""An opt-in cache of whole SPARQL answers (``IFRC_KG_RESULT_CACHE_MB``, off by default).

The dataset does not change between builds, so an answer is fixed by the query text, the
dataset parameters, the negotiated format of each result form and the build: those make
the key, the build's id included, so a new build never sees an old answer. Only answers sent
whole (under ``sparql.STREAM_AFTER_BYTES``) are kept; the least recently used go first when
the bytes exceed the limit. The query text is normalised by trimming only: anything more
(folding whitespace, case) could change a string literal's meaning. Benchmarks and the
issue's targets are measured with the cache off.
"""

from __future__ import annotations

import threading
from collections import OrderedDict

from ifrc_kg.store import QueryRequest

CacheKey = tuple[object, ...]


def cache_key(build_id: str, request: QueryRequest) -> CacheKey:
    """What fixes an answer: the build, the query, the dataset and the chosen formats."""
    formats = tuple(sorted(request.formats.items(), key=lambda item: item[0]))
    return (
        build_id,
        request.sparql.strip(),
        request.default_graphs,
        request.named_graphs,
        request.base_iri,
        formats,
    )


class ResultCache:
    """Answers (body, media type) by key, bounded in bytes; safe across threads."""

    def __init__(self, max_bytes: int) -> None:
        self.max_bytes = max_bytes
        self.bytes = 0
        self.hits = 0
        self._answers: OrderedDict[CacheKey, tuple[bytes, str]] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: CacheKey) -> tuple[bytes, str] | None:
        with self._lock:
            answer = self._answers.get(key)
            if answer is not None:
                self._answers.move_to_end(key)
                self.hits += 1
            return answer

    def put(self, key: CacheKey, body: bytes, media_type: str) -> None:
        if len(body) > self.max_bytes:
            return
        with self._lock:
            old = self._answers.pop(key, None)
            if old is not None:
                self.bytes -= len(old[0])
            self._answers[key] = (body, media_type)
            self.bytes += len(body)
            while self.bytes > self.max_bytes:
                _, (dropped, _) = self._answers.popitem(last=False)
                self.bytes -= len(dropped)

    def __len__(self) -> int:
        return len(self._answers)
