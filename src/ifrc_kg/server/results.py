"""Writers for SPARQL results: JSON, XML, CSV and TSV for solutions and booleans, and RDF
syntaxes (through pyoxigraph) for CONSTRUCT / DESCRIBE.

The solution writers stream: they take rows as the engine yields them and give bytes a row
at a time, so a query worker sends every row without holding the whole answer (the limits
are time and bytes, never a row count). They follow SPARQL 1.1 Query Results JSON (§3),
XML, and CSV/TSV (§2, §3 of the CSV/TSV note).
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator, Sequence
from typing import BinaryIO
from xml.sax.saxutils import escape, quoteattr

import pyoxigraph as ox

from ifrc_kg.namespaces import PREFIXES
from ifrc_kg.server.negotiation import RDF_FORMATS, Format
from ifrc_kg.store import Term

Row = Sequence[Term | None]

XSD_STRING = "http://www.w3.org/2001/XMLSchema#string"
RDF_LANG_STRING = "http://www.w3.org/1999/02/22-rdf-syntax-ns#langString"
XSD_NUMERIC = {
    f"http://www.w3.org/2001/XMLSchema#{name}"
    for name in ("integer", "decimal", "double", "float", "int", "long", "nonNegativeInteger")
}


def _json_term(term: Term) -> dict:
    if isinstance(term, ox.NamedNode):
        return {"type": "uri", "value": term.value}
    if isinstance(term, ox.BlankNode):
        return {"type": "bnode", "value": term.value}
    if isinstance(term, ox.Literal):
        out: dict = {"type": "literal", "value": term.value}
        if term.language:
            out["xml:lang"] = term.language
        elif term.datatype.value != XSD_STRING:
            out["datatype"] = term.datatype.value
        return out
    return {  # RDF 1.2 triple term, as SPARQL 1.2 JSON results write it
        "type": "triple",
        "value": {
            "subject": _json_term(term.subject),
            "predicate": _json_term(term.predicate),
            "object": _json_term(term.object),
        },
    }


def stream_json(variables: Sequence[str], rows: Iterable[Row]) -> Iterator[bytes]:
    """SPARQL 1.1 Query Results JSON Format, one binding at a time."""
    yield json.dumps({"head": {"vars": list(variables)}})[:-1].encode()
    yield b', "results": {"bindings": ['
    separator = b""
    for row in rows:
        binding = {
            name: _json_term(value) for name, value in zip(variables, row, strict=True) if value
        }
        yield separator + json.dumps(binding, ensure_ascii=False).encode()
        separator = b", "
    yield b"]}}"


def boolean_json(value: bool) -> bytes:
    return json.dumps({"head": {}, "boolean": value}).encode()


def _xml_term(term: Term) -> str:
    if isinstance(term, ox.NamedNode):
        return f"<uri>{escape(term.value)}</uri>"
    if isinstance(term, ox.BlankNode):
        return f"<bnode>{escape(term.value)}</bnode>"
    if isinstance(term, ox.Literal):
        if term.language:
            return f"<literal xml:lang={quoteattr(term.language)}>{escape(term.value)}</literal>"
        if term.datatype.value != XSD_STRING:
            datatype = quoteattr(term.datatype.value)
            return f"<literal datatype={datatype}>{escape(term.value)}</literal>"
        return f"<literal>{escape(term.value)}</literal>"
    return (
        f"<triple><subject>{_xml_term(term.subject)}</subject>"
        f"<predicate>{_xml_term(term.predicate)}</predicate>"
        f"<object>{_xml_term(term.object)}</object></triple>"
    )


_XML_HEAD = '<?xml version="1.0"?>\n<sparql xmlns="http://www.w3.org/2005/sparql-results#">\n'


def stream_xml(variables: Sequence[str], rows: Iterable[Row]) -> Iterator[bytes]:
    """SPARQL Query Results XML Format (second edition), one result at a time."""
    head = "".join(f"<variable name={quoteattr(name)}/>" for name in variables)
    yield (_XML_HEAD + f"<head>{head}</head>\n<results>\n").encode()
    for row in rows:
        bindings = "".join(
            f"<binding name={quoteattr(name)}>{_xml_term(value)}</binding>"
            for name, value in zip(variables, row, strict=True)
            if value is not None
        )
        yield f"<result>{bindings}</result>\n".encode()
    yield b"</results>\n</sparql>\n"


def boolean_xml(value: bool) -> bytes:
    answer = "true" if value else "false"
    return (_XML_HEAD + f"<head/>\n<boolean>{answer}</boolean>\n</sparql>\n").encode()


def _csv_field(term: Term | None) -> str:
    """CSV loses types (§2 of the CSV/TSV note): plain values, blank nodes as ``_:b``."""
    if term is None:
        return ""
    if isinstance(term, ox.BlankNode):
        text = f"_:{term.value}"
    elif isinstance(term, ox.NamedNode | ox.Literal):
        text = term.value
    else:
        text = str(term)
    if any(char in text for char in ',"\n\r'):
        return '"' + text.replace('"', '""') + '"'
    return text


def _tsv_field(term: Term | None) -> str:
    """TSV keeps SPARQL/Turtle syntax for each term (§3 of the CSV/TSV note)."""
    if term is None:
        return ""
    if isinstance(term, ox.Literal) and term.datatype.value in XSD_NUMERIC:
        lexical = term.value
        if lexical.lstrip("+-").replace(".", "", 1).isdigit():
            return str(term) if term.datatype.value.endswith("double") else lexical
    return str(term).replace("\t", "\\t").replace("\n", "\\n").replace("\r", "\\r")


def stream_csv(variables: Sequence[str], rows: Iterable[Row]) -> Iterator[bytes]:
    yield (",".join(variables) + "\r\n").encode()
    for row in rows:
        yield (",".join(_csv_field(value) for value in row) + "\r\n").encode()


def boolean_csv(value: bool) -> bytes:
    return b"_askResult\r\n" + (b"true" if value else b"false") + b"\r\n"


def stream_tsv(variables: Sequence[str], rows: Iterable[Row]) -> Iterator[bytes]:
    yield ("\t".join(f"?{name}" for name in variables) + "\n").encode()
    for row in rows:
        yield ("\t".join(_tsv_field(value) for value in row) + "\n").encode()


def boolean_tsv(value: bool) -> bytes:
    return b"?_askResult\n" + (b"true" if value else b"false") + b"\n"


SOLUTION_WRITERS = {"json": stream_json, "xml": stream_xml, "csv": stream_csv, "tsv": stream_tsv}
BOOLEAN_WRITERS = {"json": boolean_json, "xml": boolean_xml, "csv": boolean_csv, "tsv": boolean_tsv}


def rdf_prefixes() -> dict[str, str]:
    return {prefix: str(namespace) for prefix, namespace in PREFIXES.items()}


def to_rdf(triples: Iterable[ox.Triple] | Iterable[ox.Quad], fmt: Format) -> bytes:
    """Serialise triples (or quads, for TriG / N-Quads) with the project's prefixes."""
    return write_rdf(triples, fmt.key)


def write_rdf(
    triples: Iterable[ox.Triple] | Iterable[ox.Quad], key: str, output: BinaryIO | None = None
) -> bytes:
    """Serialise by format key, into ``output`` as it goes when one is given."""
    rdf_format = RDF_FORMATS[key]
    prefixes = None
    if rdf_format in (ox.RdfFormat.TURTLE, ox.RdfFormat.TRIG, ox.RdfFormat.RDF_XML):
        prefixes = rdf_prefixes()
    if output is not None:
        ox.serialize(triples, output, format=rdf_format, prefixes=prefixes)
        return b""
    return ox.serialize(triples, format=rdf_format, prefixes=prefixes)
