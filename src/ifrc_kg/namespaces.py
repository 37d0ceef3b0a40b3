"""The only place namespaces are declared.

rdflib's bundled ``DCAT`` is DCAT 2 and its ``SDO`` is the closed ``https://schema.org/``;
this project uses DCAT 3 terms and ``http://schema.org/`` (as schema.org's own JSON-LD
context does), so both are declared here as open namespaces.
"""

from __future__ import annotations

from rdflib import Namespace
from rdflib.namespace import DCTERMS, ORG, OWL, PROV, QB, RDF, RDFS, SH, SKOS, TIME, VOID, XSD

from ifrc_kg.config import DEFAULT_BASE

DCAT = Namespace("http://www.w3.org/ns/dcat#")
SCHEMA = Namespace("http://schema.org/")
OA = Namespace("http://www.w3.org/ns/oa#")
QUDT = Namespace("http://qudt.org/schema/qudt/")
UNIT = Namespace("http://qudt.org/vocab/unit/")
SDMX_DIMENSION = Namespace("http://purl.org/linked-data/sdmx/2009/dimension#")
SDMX_ATTRIBUTE = Namespace("http://purl.org/linked-data/sdmx/2009/attribute#")
SDMX_MEASURE = Namespace("http://purl.org/linked-data/sdmx/2009/measure#")
VCARD = Namespace("http://www.w3.org/2006/vcard/ns#")
ADMS = Namespace("http://www.w3.org/ns/adms#")
VANN = Namespace("http://purl.org/vocab/vann/")
SD = Namespace("http://www.w3.org/ns/sparql-service-description#")
SPDX = Namespace("http://spdx.org/rdf/terms#")
DOCO = Namespace("http://purl.org/spar/doco/")
WD = Namespace("http://www.wikidata.org/entity/")
FOAF = Namespace("http://xmlns.com/foaf/0.1/")

# The project's own vocabulary, under the default base. A deployment with another base
# keeps these term IRIs: the ontology is one published vocabulary, not per-deployment.
IFRCKG = Namespace(f"{DEFAULT_BASE}def/core#")

PREFIXES: dict[str, Namespace] = {
    "ifrckg": IFRCKG,
    "qb": Namespace(str(QB)),
    "skos": Namespace(str(SKOS)),
    "org": Namespace(str(ORG)),
    "prov": Namespace(str(PROV)),
    "dcat": DCAT,
    "dcterms": Namespace(str(DCTERMS)),
    "void": Namespace(str(VOID)),
    "schema": SCHEMA,
    "oa": OA,
    "qudt": QUDT,
    "unit": UNIT,
    "sdmx-dimension": SDMX_DIMENSION,
    "sdmx-attribute": SDMX_ATTRIBUTE,
    "sdmx-measure": SDMX_MEASURE,
    "time": Namespace(str(TIME)),
    "vcard": VCARD,
    "adms": ADMS,
    "vann": VANN,
    "sd": SD,
    "spdx": SPDX,
    "doco": DOCO,
    "owl": Namespace(str(OWL)),
    "rdf": Namespace(str(RDF)),
    "rdfs": Namespace(str(RDFS)),
    "xsd": Namespace(str(XSD)),
    "sh": Namespace(str(SH)),
    "wd": WD,
    "foaf": FOAF,
}


def bind_prefixes(graph) -> None:
    """Bind the project's prefixes on a graph, replacing rdflib's defaults."""
    for prefix, namespace in PREFIXES.items():
        graph.bind(prefix, namespace, override=True, replace=True)
