"""The Mali 2023 report as a graph: expected triples, asked by SPARQL against the build."""

from __future__ import annotations

import logging
from dataclasses import replace
from decimal import Decimal

import pytest
from rdflib import BNode, Graph, Literal, URIRef
from tests.graph.helpers import (
    BASE,
    IRIS,
    PREFIXES,
    mali_dataset,
    mali_report,
    report_only,
    shacl,
    union,
    variant,
)
from tests.variants import mali_text, relabelled_indicators

from ifrc_kg.graph import vocabulary_graph_iri
from ifrc_kg.namespaces import IFRCKG, RDFS, SKOS


@pytest.fixture(scope="module")
def graph() -> Graph:
    return union(mali_dataset())


def ask(graph: Graph, where: str) -> bool:
    return bool(graph.query(f"{PREFIXES} ASK {{ {where} }}").askAnswer)


def rows(graph: Graph, query: str) -> list[tuple]:
    return [tuple(row) for row in graph.query(PREFIXES + query)]


def _py(term: object) -> object:
    return str(term) if isinstance(term, URIRef) else term.toPython()  # type: ignore[attr-defined]


def test_named_graphs() -> None:
    names = {str(g.identifier) for g in mali_dataset().graphs() if len(g)}
    assert f"{BASE}graph/mli/2023" in names
    assert str(vocabulary_graph_iri(BASE)) in names


def test_report_node(graph: Graph) -> None:
    assert ask(
        graph,
        """<https://w3id.org/ifrc-kg/id/report/mli/2023> a ifrckg:AnnualReport, schema:Report ;
            ifrckg:year "2023"^^xsd:gYear ;
            ifrckg:period <https://w3id.org/ifrc-kg/id/period/2023> ;
            ifrckg:country <https://w3id.org/ifrc-kg/id/country/mli> ;
            ifrckg:nationalSociety <https://w3id.org/ifrc-kg/id/ns/mli> ;
            ifrckg:appealCode "MAAML002" ;
            schema:datePublished "2024-09-03"^^xsd:date ;
            prov:hadPrimarySource ?text .
           ?text ifrckg:sha256 ?sha ;
               dcterms:identifier "ifrc-network-annual-report-mali-2023.txt" .
        """,
    )
    assert ask(
        graph,
        """<https://w3id.org/ifrc-kg/id/ns/mli> a ifrckg:NationalSociety, org:FormalOrganization ;
            rdfs:label ?label ; ifrckg:country <https://w3id.org/ifrc-kg/id/country/mli> .
           <https://w3id.org/ifrc-kg/id/country/mli> ifrckg:iso3Code "MLI" .""",
    )


def test_key_figure_volunteers(graph: Graph) -> None:
    found = rows(
        graph,
        """SELECT ?value ?printed ?unit ?line WHERE {
            ?obs a qb:Observation ; ifrckg:keyFigure ?kf ; ifrckg:number ?value ;
                 ifrckg:printedValue ?printed ; sdmx-attribute:unitMeasure ?unit ;
                 ifrckg:nationalSociety <https://w3id.org/ifrc-kg/id/ns/mli> ;
                 ifrckg:refPeriod <https://w3id.org/ifrc-kg/id/period/2023> ;
                 prov:wasDerivedFrom ?src .
            ?kf skos:notation "volunteers" .
            ?src ifrckg:lineStart ?line .
        }""",
    )
    assert [tuple(_py(term) for term in row) for row in found] == [
        (8998, "8,998", "http://qudt.org/vocab/unit/NUM", 27)
    ]


def test_people_reached_health(graph: Graph) -> None:
    obs = IRIS.observation("MLI", 2023, "people-reached", "health-and-wellbeing")
    assert ask(
        graph,
        f"""<{obs}> a qb:Observation ; ifrckg:peopleReached 240612 ;
            ifrckg:reachCategory <{IRIS.concept("strategic-priority", "health-and-wellbeing")}> ;
            qb:dataSet <{IRIS.dataset("MLI", 2023, "people-reached")}> .""",
    )


def test_financial_figure_rounded(graph: Graph) -> None:
    obs = IRIS.observation("MLI", 2023, "financial-overview", "country", "funding-requirement")
    found = rows(
        graph,
        f"""SELECT ?amount ?printed ?rounded ?exact ?start ?end WHERE {{
            <{obs}> ifrckg:amount ?amount ; ifrckg:printedValue ?printed ;
                ifrckg:roundedTo ?rounded ; sdmx-attribute:unitMeasure unit:CCY_CHF ;
                ifrckg:funderGroup/skos:notation "country" ;
                ifrckg:flowType/skos:notation "funding-requirement" ;
                prov:wasDerivedFrom <{obs}#source> .
            <{obs}#source> oa:hasSelector <{obs}#quote>, <{obs}#position> .
            <{obs}#quote> a oa:TextQuoteSelector ; oa:exact ?exact .
            <{obs}#position> a oa:TextPositionSelector ; oa:start ?start ; oa:end ?end .
        }}""",
    )
    assert len(found) == 1
    amount, printed, rounded, exact, start, end = found[0]
    assert amount.toPython() == Decimal("15600000")
    assert (str(printed), rounded.toPython(), str(exact)) == ("15.6M", Decimal("100000"), "15.6M")
    assert mali_text()[int(start) : int(end)] == "15.6M"


def test_exact_figure_has_no_rounding(graph: Graph) -> None:
    obs = IRIS.observation("MLI", 2023, "financial-overview", "ifrc-secretariat", "expenditure")
    assert ask(graph, f'<{obs}> ifrckg:amount 780000.0 ; ifrckg:printedValue "780,000" .')
    assert not ask(graph, f"<{obs}> ifrckg:roundedTo ?r .")


def test_indicators(graph: Graph) -> None:
    first_aid = IRIS.observation("MLI", 2023, "indicators", "people-trained-first-aid")
    assert ask(
        graph,
        f"""<{first_aid}> ifrckg:indicatorValue 105.0 ; ifrckg:printedValue "105" ;
            ifrckg:indicator ?ind . ?ind skos:broader ?sp .
            ?sp skos:notation "health-and-wellbeing" .
        """,
    )
    cash = IRIS.observation("MLI", 2023, "indicators", "share-assistance-cash-vouchers")
    assert ask(
        graph, f"<{cash}> ifrckg:indicatorValue 94.0 ; sdmx-attribute:unitMeasure unit:PERCENT ."
    )
    answer = IRIS.observation("MLI", 2023, "indicator-answers", "nature-based-solutions")
    assert ask(graph, f'<{answer}> ifrckg:answer true ; ifrckg:printedValue "Yes" .')


def test_partner_row(graph: Graph) -> None:
    dnk = IRIS.national_society("DNK")
    funding = IRIS.observation("MLI", 2023, "partner-funding", "dnk")
    assert ask(
        graph,
        f"""<{funding}> ifrckg:partner <{dnk}> ; ifrckg:amount 15700000.0 ;
              ifrckg:printedValue "15.7M" .
            <{dnk}> a ifrckg:NationalSociety ; rdfs:label ?label .""",
    )
    health = IRIS.observation("MLI", 2023, "partner-support", "dnk", "health-and-wellbeing")
    climate = IRIS.observation("MLI", 2023, "partner-support", "dnk", "climate-and-environment")
    assert ask(graph, f"<{health}> ifrckg:bilateralSupport true .")
    assert ask(graph, f"<{climate}> ifrckg:bilateralSupport false .")
    usa = IRIS.observation("MLI", 2023, "partner-multilateral", "usa")
    assert ask(graph, f"<{usa}> ifrckg:multilateralSupport true .")
    total = IRIS.observation(
        "MLI", 2023, "partner-funding-total", "participating-national-societies", "funding"
    )
    assert ask(graph, f'<{total}> ifrckg:amount 35400000.0 ; ifrckg:printedValue "CHF 35.4M" .')


def test_every_partner_is_a_society(graph: Graph) -> None:
    partners = rows(graph, "SELECT DISTINCT ?p WHERE { ?obs ifrckg:partner ?p }")
    assert len(partners) == 12
    assert all(str(p).startswith(f"{BASE}id/ns/") for (p,) in partners)


def test_dref_operation(graph: Graph) -> None:
    op = IRIS.operation("MDRML018")
    statement = f"{BASE}id/report/mli/2023/operation/MDRML018"
    assert ask(
        graph,
        f"""<{op}> a ifrckg:DrefOperation, ifrckg:Operation ; dcterms:identifier "MDRML018" ;
            schema:name "Mali Dengue Outbreak"@en ; ifrckg:statement <{statement}> .
            <{statement}> a ifrckg:OperationStatement ; ifrckg:statementOf <{op}> ;
            ifrckg:report <https://w3id.org/ifrc-kg/id/report/mli/2023> ;
            ifrckg:year "2023"^^xsd:gYear ; ifrckg:nameAsPrinted "Mali Dengue Outbreak" ;
            schema:startDate "2023-12-13"^^xsd:date ; schema:endDate "2024-03-31"^^xsd:date ;
            ifrckg:durationMonths 3 ;
            ifrckg:peopleTargeted [ schema:value 322013 ; ifrckg:printedValue "322,013" ] ;
            ifrckg:funding [ a schema:MonetaryAmount ; schema:value 204222.0 ;
                             schema:currency "CHF" ; prov:wasDerivedFrom ?src ] .
            <https://w3id.org/ifrc-kg/id/report/mli/2023> ifrckg:operation <{op}> .""",
    )
    # what a report says is on its statement, never on the shared operation
    assert not ask(graph, f"<{op}> schema:endDate ?end .")
    assert not ask(graph, f"<{op}> ifrckg:peopleTargeted ?p .")


def test_emergency_appeal(graph: Graph) -> None:
    op = IRIS.operation("MGR60001")
    assert ask(
        graph,
        f"""<{op}> a ifrckg:EmergencyAppeal ; ifrckg:statement ?s .
            ?s schema:startDate "2021-05-15"^^xsd:date ; schema:endDate "2024-12-31"^^xsd:date ;
            ifrckg:event [ schema:startDate "2021-07-19"^^xsd:date ] ;
            ifrckg:event [ schema:endDate "2024-12-31"^^xsd:date ; schema:description ?d ] .
            <https://w3id.org/ifrc-kg/id/report/mli/2023> ifrckg:ongoingEmergency <{op}> .""",
    )
    labels = rows(graph, f"SELECT ?l WHERE {{ <{op}> rdfs:label ?l }}")
    assert [str(label) for (label,) in labels] == [
        "Revised Africa Hunger Crisis Emergency Appeal 2023-2024"
    ]
    amounts = rows(
        graph,
        f"""SELECT ?value ?channel ?scope WHERE {{ <{op}> ifrckg:statement/ifrckg:funding ?f .
            ?f schema:value ?value ; ifrckg:fundingChannel ?channel ; ifrckg:fundingScope ?scope
            }} ORDER BY ?value""",
    )
    assert [int(v.toPython()) for v, _, _ in amounts] == [
        5_000_000,
        8_000_000,
        232_500_000,
        318_000_000,
    ]
    concept = f"{BASE}def/concept/"
    assert [(str(c), str(s)) for _, c, s in amounts] == [
        (
            f"{concept}operation-funding-channel/ifrc-appeal",
            f"{concept}operation-funding-scope/country-year-funding-requirement",
        ),
        (
            f"{concept}operation-funding-channel/federation-wide",
            f"{concept}operation-funding-scope/country-year-funding-requirement",
        ),
        (
            f"{concept}operation-funding-channel/ifrc-appeal",
            f"{concept}operation-funding-scope/total-funding-requirement",
        ),
        (
            f"{concept}operation-funding-channel/federation-wide",
            f"{concept}operation-funding-scope/total-funding-requirement",
        ),
    ]


def test_claim_with_quote(graph: Graph) -> None:
    found = rows(
        graph,
        """SELECT ?claim ?quote ?line ?section WHERE {
            ?claim a ifrckg:Claim ; ifrckg:value 104.0 ; ifrckg:printedValue "104" ;
                ifrckg:counts ?counts ; ifrckg:phrase ?phrase ;
                ifrckg:aboutIndicator ?ind ; ifrckg:section ?s ;
                prov:wasDerivedFrom/oa:hasSelector/oa:exact ?quote ;
                prov:wasDerivedFrom/ifrckg:lineStart ?line .
            ?ind skos:notation "people-trained-first-aid" .
            ?s dcterms:title ?section .
            <https://w3id.org/ifrc-kg/id/report/mli/2023> ifrckg:claim ?claim .
            FILTER (CONTAINS(?phrase, "first aid"))
        }""",
    )
    assert len(found) == 1
    _, quote, line, _ = found[0]
    assert "trained 104 people in first aid" in str(quote)
    assert int(line) == 333


def test_mentions_resolve(graph: Graph) -> None:
    icrc = IRIS.organisation("icrc")
    assert ask(graph, f"?m a ifrckg:Mention ; ifrckg:refersTo <{icrc}> ; prov:wasDerivedFrom ?s .")
    assert ask(graph, f'?m ifrckg:refersTo <{IRIS.place("ML05")}> ; ifrckg:mentionKind "place" .')


def test_sections_keep_text(graph: Graph) -> None:
    assert ask(
        graph,
        """<https://w3id.org/ifrc-kg/id/report/mli/2023> schema:hasPart+ ?s .
           ?s a doco:Section ; schema:hasPart ?p . ?p a doco:Paragraph ; schema:text ?t .
           FILTER (CONTAINS(?t, "landlocked country in West Africa"))""",
    )


def test_contacts_with_personal_details(graph: Graph) -> None:
    assert ask(
        graph,
        """<https://w3id.org/ifrc-kg/id/report/mli/2023> schema:contactPoint ?c .
           ?c schema:contactType "Secretary General"@en ; schema:email ?e ;
              ifrckg:organisation <https://w3id.org/ifrc-kg/id/ns/mli> .""",
    )


def test_no_blank_nodes() -> None:
    for s, p, o, _ in mali_dataset().quads((None, None, None, None)):
        assert not isinstance(s, BNode) and not isinstance(o, BNode), (s, p, o)


def test_every_figure_has_a_source(graph: Graph) -> None:
    missing = rows(
        graph,
        """SELECT ?x WHERE {
            { ?x a qb:Observation } UNION { ?x a ifrckg:Claim } UNION { ?x a ifrckg:Mention }
            UNION { ?x a schema:MonetaryAmount } UNION { ?x a schema:QuantitativeValue }
            FILTER NOT EXISTS { ?x prov:wasDerivedFrom/oa:hasSelector/oa:exact ?q }
        }""",
    )
    assert missing == []


def test_quotes_match_the_text(graph: Graph) -> None:
    """Every position selector slices exactly its quote out of the report text."""
    text = mali_text()
    found = rows(
        graph,
        """SELECT ?exact ?start ?end WHERE { ?src oa:hasSelector ?q, ?p .
            ?q oa:exact ?exact . ?p oa:start ?start ; oa:end ?end }""",
    )
    assert len(found) > 500
    bad = [e for e, s, t in found if text[int(s) : int(t)] != str(e)]
    assert bad == []


def test_every_core_term_used_is_declared(graph: Graph) -> None:
    """The data uses only ifrckg terms the ontology defines (links included)."""
    core = "https://w3id.org/ifrc-kg/def/core#"
    declared = {
        str(s)
        for s in mali_dataset().graph(vocabulary_graph_iri(BASE)).subjects()
        if str(s).startswith(core)
    }
    used = {
        str(t)
        for triple in graph
        for t in triple
        if isinstance(t, URIRef) and str(t).startswith(core) and str(t) != core
    }
    assert used - declared == set()


def test_data_cube_integrity_constraints(graph: Graph) -> None:
    """IC-1..21 of the W3C Data Cube Recommendation hold on the build."""
    from ifrc_kg.datacube import check_integrity

    failures = {ic: found for ic, found in check_integrity(graph).items() if found}
    assert failures == {}


def test_unknown_partner_gets_an_organisation_iri(caplog: pytest.LogCaptureFixture) -> None:
    report = mali_report()
    partners = tuple(
        replace(p, society_name="Red Cross of Atlantis")
        if p.society_name.startswith("Danish")
        else p
        for p in report.partners
    )
    with caplog.at_level(logging.WARNING, logger="ifrc_kg.graph"):
        graph = report_only(replace(report, partners=partners))
    atlantis = IRIS.organisation("Red Cross of Atlantis")
    assert str(atlantis) == f"{BASE}id/org/red-cross-of-atlantis"
    assert (None, IFRCKG.partner, atlantis) in graph
    assert (atlantis, RDFS.label, Literal("Red Cross of Atlantis", lang="en")) in graph
    assert any("Red Cross of Atlantis" in r.getMessage() for r in caplog.records)


def test_unknown_indicator_label_becomes_a_concept_of_the_report() -> None:
    graph = variant(relabelled_indicators(mali_text()))
    lamps = IRIS.concept("indicator", "people-reached-with-solar-lamps")
    assert (lamps, SKOS.inScheme, IRIS.scheme("indicator")) in graph
    assert (
        lamps,
        SKOS.broader,
        IRIS.concept("strategic-priority", "health-and-wellbeing"),
    ) in graph
    obs = IRIS.observation("MLI", 2023, "indicators", "people-reached-with-solar-lamps")
    assert (obs, IFRCKG.indicator, lamps) in graph
    shelter = IRIS.observation("MLI", 2023, "indicators", "people-reached-shelter")
    assert (shelter, IFRCKG.indicatorValue, None) in graph
    assert [r for r in shacl(graph, focus=[obs, lamps]) if r.severity == "Violation"] == []


def test_a_repeated_table_row_is_a_report_error_naming_its_line() -> None:
    """Two figures for one cube cell cannot both stand (Data Cube IC-12): the build says
    which line repeats, instead of publishing one or failing later on the constraint."""
    from ifrc_kg.errors import ReportFormatError
    from ifrc_kg.graph import build_dataset
    from ifrc_kg.report import parse_text

    row = "\tPeople donating blood\t103\n"
    text = mali_text().replace(row, row + row.replace("103", "110"), 1)
    report = parse_text(text, "variant.txt")
    with pytest.raises(ReportFormatError) as raised:
        build_dataset([report])
    assert (raised.value.file, raised.value.line) == ("variant.txt", 132)
    assert "repeats a row" in str(raised.value)


def test_every_figure_carries_its_year(graph: Graph) -> None:
    """Filtering by year is one pattern: observations, claims, operation amounts and people."""
    year = '"2023"^^xsd:gYear'
    missing = rows(
        graph,
        f"""SELECT ?figure WHERE {{
            {{ ?figure a qb:Observation }} UNION {{ ?figure a ifrckg:Claim }}
            UNION {{ ?figure a schema:MonetaryAmount }}
            UNION {{ ?figure a schema:QuantitativeValue }}
            FILTER NOT EXISTS {{ ?figure ifrckg:year {year} }} }}""",
    )
    assert missing == []
    counted = rows(
        graph, f"SELECT (COUNT(?f) AS ?n) WHERE {{ ?f a qb:Observation ; ifrckg:year {year} }}"
    )
    assert int(counted[0][0]) > 100
    period = IRIS.period(2023)
    assert ask(
        graph,
        f"<{period}> owl:sameAs <http://reference.data.gov.uk/id/year/2023> ; ifrckg:year {year} .",
    )
    # no other year anywhere in a one-report graph
    assert not ask(graph, f"?x ifrckg:year ?y . FILTER (?y != {year})")


def test_claims_and_mentions_are_tied_to_their_sentence(graph: Graph) -> None:
    found = rows(
        graph,
        """SELECT DISTINCT ?sentence ?text ?paragraph WHERE {
            ?claim a ifrckg:Claim ; ifrckg:phrase "trained 104 people in first aid" ;
                   ifrckg:sentence ?sentence ; ifrckg:paragraph ?paragraph .
            ?sentence a doco:Sentence ; schema:text ?text ; schema:isPartOf ?paragraph .
            ?paragraph a doco:Paragraph ; schema:hasPart ?sentence . }""",
    )
    assert len(found) == 1
    sentence, text, _ = found[0]
    assert "trained 104 people in first aid" in str(text)
    assert str(sentence).rsplit("/", 1)[-1].startswith("s")
    # the sentence's quote is the sentence, at its line
    quote = Literal(str(text))  # the quote is a plain string, the text a @en literal
    assert ask(graph, f"<{sentence}> prov:wasDerivedFrom/oa:hasSelector/oa:exact {quote.n3()}")
    # no claim or mention without a sentence
    assert not ask(graph, "?c a ifrckg:Claim . FILTER NOT EXISTS { ?c ifrckg:sentence ?s }")
    assert not ask(graph, "?m a ifrckg:Mention . FILTER NOT EXISTS { ?m ifrckg:sentence ?s }")


def test_where_were_early_warning_systems_set_up(graph: Graph) -> None:
    """Places of the sentences about early warning systems: one join on the sentence."""
    places = rows(
        graph,
        """SELECT DISTINCT ?code WHERE {
            ?s a doco:Sentence ; schema:text ?t ; schema:mentions ?place .
            ?place a schema:AdministrativeArea ; schema:identifier ?code .
            FILTER (CONTAINS(LCASE(?t), "early warning systems")) }""",
    )
    codes = sorted(str(code) for (code,) in places)
    assert len(codes) == 4  # Timbuktu, Gao, Mopti and Segou
    assert all(code.startswith("ML") for code in codes)
    # a sentence that names no place says so by having none
    assert not ask(
        graph,
        """?s a doco:Sentence ; schema:text ?t ; schema:mentions ?p . ?p a schema:AdministrativeArea
           FILTER (CONTAINS(?t, "trained 104 people in first aid"))""",
    )


def test_claims_point_at_what_their_sentence_names(graph: Graph) -> None:
    found = rows(
        graph,
        """SELECT DISTINCT ?claim ?thing WHERE {
            ?claim a ifrckg:Claim ; ifrckg:sentence ?s ; schema:mentions ?thing .
            ?m a ifrckg:Mention ; ifrckg:sentence ?s ; ifrckg:refersTo ?thing . }""",
    )
    assert len(found) >= 5
    stray = rows(
        graph,
        """SELECT ?claim WHERE {
            ?claim a ifrckg:Claim ; schema:mentions ?thing ; ifrckg:sentence ?s .
            FILTER NOT EXISTS { ?m ifrckg:sentence ?s ; ifrckg:refersTo ?thing } }""",
    )
    assert stray == []
