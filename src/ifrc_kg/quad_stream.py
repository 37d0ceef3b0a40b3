"""RDF files of any size read as a stream of quads, for ``ifrc-kg validate``: nothing is
fetched, and every literal stays as written.

pyoxigraph's parsers read N-Triples, N-Quads, Turtle, TriG and RDF/XML a statement at a
time (``.gz`` decompressed on the way). JSON-LD goes through pyoxigraph's JSON-LD parser
too, which has no document loader: a ``@context`` named by IRI is never fetched. A document
that names its context by reference (``"@context": "context.jsonld"``) has it put in from
the local file beside it (``validate._local_contexts``, which refuses any other) and is then
read whole; one with its context inline (the build's ``graph.jsonld``) is parsed directly.
pyoxigraph 0.5 keeps a top-level ``@graph`` in memory until its object closes (the object
could name it as a graph), unless the document follows JSON-LD's streaming profile
(``@context`` first, then ``@type``, then ``@id`` in every object): a first parse that keeps
nothing checks that, and such a document (the build's own JSON-LD dumps,
``dumps.streaming_profile``) is then parsed in bounded memory (README, "`validate` streams
large inputs").
"""

from __future__ import annotations

import gzip
import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import IO

import pyoxigraph as ox

from ifrc_kg import validate as validation
from ifrc_kg.errors import RdfFormatError

#: rdflib parser name (``validate.rdf_format``) → pyoxigraph's parser
PARSERS = {
    "nt": ox.RdfFormat.N_TRIPLES,
    "nquads": ox.RdfFormat.N_QUADS,
    "turtle": ox.RdfFormat.TURTLE,
    "trig": ox.RdfFormat.TRIG,
    "xml": ox.RdfFormat.RDF_XML,
    "json-ld": ox.RdfFormat.JSON_LD,
}
#: a ``@context`` (or ``@import``) whose value is, or starts a list with, a reference
CONTEXT_REFERENCE = re.compile(rb'"@context"\s*:\s*[\["]|"@import"\s*:')
CHUNK = 1 << 20


def _open(path: Path) -> IO[bytes]:
    try:
        return gzip.open(path, "rb") if path.suffix.lower() == ".gz" else path.open("rb")
    except OSError as error:
        raise RdfFormatError(str(path), f"cannot read the file: {error.strerror}") from None


def names_a_context(path: Path) -> bool:
    """Whether a JSON-LD file may name a context by reference (read in chunks; a string
    that merely contains such text only costs reading the document whole)."""
    tail = b""
    with _open(path) as stream:
        try:
            while chunk := stream.read(CHUNK):
                if CONTEXT_REFERENCE.search(tail + chunk):
                    return True
                tail = chunk[-64:]
        except (OSError, EOFError) as error:
            raise RdfFormatError(str(path), f"cannot read the file: {error}") from None
    return False


def _with_local_contexts(path: Path) -> bytes:
    """The JSON-LD document, its contexts put in from local files (remote ones refused)."""
    with _open(path) as stream:
        try:
            document = json.loads(stream.read())
        except (OSError, EOFError) as error:
            raise RdfFormatError(str(path), f"cannot read the file: {error}") from None
        except (UnicodeDecodeError, json.JSONDecodeError) as error:
            raise RdfFormatError(str(path), f"cannot read as json-ld: {error}") from None
    return json.dumps(validation._local_contexts(document, path)).encode()


def _streaming_profile(path: Path) -> bool:
    """Whether pyoxigraph's streaming JSON-LD parser reads the whole file (nothing kept)."""
    with _open(path) as stream:
        try:
            for _ in ox.parse(stream, ox.RdfFormat.STREAMING_JSON_LD, lenient=True):
                pass
        except (SyntaxError, ValueError, OSError, EOFError):
            return False  # not in the profile, or bad: the full parser says which
    return True


def quads(path: Path) -> Iterator[ox.Quad]:
    """The file's quads as they are parsed; blank nodes renamed (``_:b1`` of two files are
    two nodes). Bad input is an ``RdfFormatError`` naming the file (and the line)."""
    format_name = validation.rdf_format(path)
    parser = PARSERS[format_name]
    if format_name == "json-ld" and names_a_context(path):
        source: bytes | IO[bytes] = _with_local_contexts(path)
    else:
        if format_name == "json-ld" and _streaming_profile(path):
            parser = ox.RdfFormat.STREAMING_JSON_LD
        source = _open(path)
    try:
        yield from ox.parse(
            source,
            parser,
            base_iri=path.resolve().as_uri(),
            rename_blank_nodes=True,
        )
    except (SyntaxError, ValueError) as error:
        message = " ".join(str(error).split())
        if "LoadDocumentCallback" in message:  # a reference the pre-scan did not see
            message = "it names a JSON-LD context that is not inline: remote contexts are not "
            message += "fetched (no network); inline it or save it beside the document"
        raise RdfFormatError(str(path), f"cannot read as {format_name}: {message}") from None
    except (OSError, EOFError) as error:
        raise RdfFormatError(str(path), f"cannot read the file: {error}") from None
    finally:
        if not isinstance(source, bytes):
            source.close()
