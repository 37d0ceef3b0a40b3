"""Writers for SPARQL results: JSON, XML, CSV and TSV for solutions and booleans, and RDF
syntaxes (through pyoxigraph) for CONSTRUCT / DESCRIBE.

The solution writers are our own rather than pyoxigraph's because the rows are already
collected (capped, under a deadline) and the writers only ever see that capped list. They
follow SPARQL 1.1 Query Results JSON (§3), XML, and CSV/TSV (§2, §3 of the CSV/TSV note).
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from xml.sax.saxutils import escape, quoteattr

import pyoxigraph as ox

from ifrc_kg.namespaces import PREFIXES
from ifrc_kg.server.negotiation import Format
from ifrc_kg.store import QueryResult, Term

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


def to_json(result: QueryResult) -> bytes:
    """SPARQL 1.1 Query Results JSON Format."""
    if result.kind == "boolean":
        return json.dumps({"head": {}, "boolean": result.boolean}).encode()
    bindings = [
        {
            name: _json_term(value)
            for name, value in zip(result.variables, row, strict=True)
            if value
        }
        for row in result.rows
    ]
    body = {"head": {"vars": result.variables}, "results": {"bindings": bindings}}
    return json.dumps(body, ensure_ascii=False).encode()


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


def to_xml(result: QueryResult) -> bytes:
    """SPARQL Query Results XML Format (second edition)."""
    out = ['<?xml version="1.0"?>', '<sparql xmlns="http://www.w3.org/2005/sparql-results#">']
    if result.kind == "boolean":
        out.append("<head/>")
        out.append(f"<boolean>{'true' if result.boolean else 'false'}</boolean>")
    else:
        out.append("<head>")
        out.extend(f"<variable name={quoteattr(name)}/>" for name in result.variables)
        out.append("</head><results>")
        for row in result.rows:
            out.append("<result>")
            for name, value in zip(result.variables, row, strict=True):
                if value is not None:
                    out.append(f"<binding name={quoteattr(name)}>{_xml_term(value)}</binding>")
            out.append("</result>")
        out.append("</results>")
    out.append("</sparql>")
    return "\n".join(out).encode()


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


def to_csv(result: QueryResult) -> bytes:
    if result.kind == "boolean":
        return b"_askResult\r\n" + (b"true" if result.boolean else b"false") + b"\r\n"
    lines = [",".join(result.variables)]
    lines.extend(",".join(_csv_field(value) for value in row) for row in result.rows)
    return ("\r\n".join(lines) + "\r\n").encode()


def to_tsv(result: QueryResult) -> bytes:
    if result.kind == "boolean":
        return b"?_askResult\n" + (b"true" if result.boolean else b"false") + b"\n"
    lines = ["\t".join(f"?{name}" for name in result.variables)]
    lines.extend("\t".join(_tsv_field(value) for value in row) for row in result.rows)
    return ("\n".join(lines) + "\n").encode()


def rdf_prefixes() -> dict[str, str]:
    return {prefix: str(namespace) for prefix, namespace in PREFIXES.items()}


def to_rdf(triples: Sequence[ox.Triple] | Sequence[ox.Quad], fmt: Format) -> bytes:
    """Serialise triples (or quads, for TriG / N-Quads) with the project's prefixes."""
    rdf_format = fmt.rdf_format
    if rdf_format in (ox.RdfFormat.TURTLE, ox.RdfFormat.TRIG, ox.RdfFormat.RDF_XML):
        return ox.serialize(triples, format=rdf_format, prefixes=rdf_prefixes())
    return ox.serialize(triples, format=rdf_format)


def serialise(result: QueryResult, fmt: Format) -> bytes:
    """The body of a query response in a chosen (non-HTML) format."""
    if result.kind == "graph":
        return to_rdf(result.triples, fmt)
    writer = {"json": to_json, "xml": to_xml, "csv": to_csv, "tsv": to_tsv}[fmt.key]
    return writer(result)
