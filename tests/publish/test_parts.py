"""A report's part of the dumps: which statements are its own, which are kept once, and the
gzip members that make a dump's ``.gz`` a concatenation."""

from __future__ import annotations

import gzip
import zlib

from ifrc_kg.parts import first_occurrences, gzip_member, is_own, keys_of, own_prefixes

BASE = "https://w3id.org/ifrc-kg/"


def _line(subject: str, value: str = "1") -> bytes:
    return f'<{subject}> <{BASE}def/core#p> "{value}" .'.encode()


def test_own_subjects_stop_at_the_report_key() -> None:
    prefixes = [p.encode() for p in own_prefixes(BASE, "MLI", "2023")]
    assert is_own(_line(f"{BASE}id/report/mli/2023"), prefixes)
    assert is_own(_line(f"{BASE}id/report/mli/2023/text"), prefixes)
    assert is_own(_line(f"{BASE}id/observation/mli/2023/people#source"), prefixes)
    assert is_own(_line(f"{BASE}graph/mli/2023"), prefixes)
    # the mid-year report of the same year, another country, a shared resource: not its own
    assert not is_own(_line(f"{BASE}id/report/mli/2023-mid-year"), prefixes)
    assert not is_own(_line(f"{BASE}id/report/mlt/2023"), prefixes)
    assert not is_own(_line(f"{BASE}id/operation/MDRML018"), prefixes)
    assert not is_own(_line(f"{BASE}id/report/mli/20231"), prefixes)


def test_a_shared_statement_is_kept_where_it_first_appears() -> None:
    a, b, c = _line(f"{BASE}id/operation/A"), _line(f"{BASE}id/operation/B"), _line("x:c")
    head, first, second = keys_of([a]), keys_of([b, a, b]), keys_of([c, b, a])
    masks = first_occurrences([head, first, second])
    assert [m.tolist() for m in masks] == [[True], [True, False, False], [True, False, False]]
    assert [m.tolist() for m in first_occurrences([keys_of([]), second])] == [
        [],
        [True, True, True],
    ]


def test_gzip_members_concatenate_into_one_stream() -> None:
    chunks = [b"head\n", b"", b"first report\n" * 1000, b"second\n"]
    packed = b"".join(gzip_member(chunk) for chunk in chunks)
    assert gzip.decompress(packed) == b"".join(chunks)
    # zlib reading member by member (what a streaming client does) gets the same bytes
    out, rest = b"", packed
    while rest:
        reader = zlib.decompressobj(wbits=31)
        out += reader.decompress(rest)
        rest = reader.unused_data
    assert out == b"".join(chunks)
    assert gzip_member(b"x") == gzip_member(b"x"), "stable bytes: mtime 0, no file name"
    assert gzip_member(b"x")[4:8] == b"\x00\x00\x00\x00"
