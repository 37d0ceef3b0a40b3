"""Report-shaped benchmark data: the Mali report rewritten for many countries and years.

Each variant keeps the template and changes what a real report of another country would:
the country, its National Society, the year, the appeal and DREF codes and every table
figure (scaled), so the graph has the shape and size of a real multi-report publication.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path

from ifrc_kg.graph import build_dataset
from ifrc_kg.reference import load_reference
from ifrc_kg.report import parse_text

MALI = Path(__file__).resolve().parents[1] / "data/reports/ifrc-network-annual-report-mali-2023.txt"
YEARS = (2019, 2020, 2021, 2022, 2023, 2024)
_TABLE_NUMBER = re.compile(r"(?<=\t)(\d{1,3}(?:,\d{3})+|\d+)(?=\s*$)", re.MULTILINE)


def _scaled(match: re.Match[str], factor: Decimal) -> str:
    value = int(Decimal(match.group(1).replace(",", "")) * factor)
    return f"{value:,}"


def variant(text: str, country: str, society: str, iso2: str, year: int, factor: Decimal) -> str:
    """The Mali report as if written for another country and year."""
    text = text.replace("IN SUPPORT OF THE MALI RED CROSS", f"IN SUPPORT OF THE {society.upper()}")
    text = re.sub(r"^MALI$", country.upper(), text, count=1, flags=re.MULTILINE)
    for name in ("Malian Red Cross Society", "Mali Red Cross Society", "Mali Red Cross"):
        text = text.replace(name, society)
    text = re.sub(r"\bMali\b", country, text)
    text = text.replace("MAAML002", f"MAA{iso2}00{year % 10}")
    text = text.replace("MDRML018", f"MDR{iso2}0{year % 100:02d}")
    text = text.replace("MGR60001", f"MGR6{year % 100:02d}01")
    text = text.replace("2023 IFRC network annual report", f"{year} IFRC network annual report")
    return _TABLE_NUMBER.sub(lambda match: _scaled(match, factor), text)


def candidate_countries() -> Iterator[tuple[str, str, str]]:
    """(country name, society name, ISO2) of countries with simply named societies."""
    reference = load_reference()
    for iso3 in sorted(reference.societies):
        society = reference.society(iso3)
        country = reference.country(iso3)
        if not society or not country or iso3 == "MLI":
            continue
        if re.fullmatch(r"[A-Za-z ]+", country.name) and re.fullmatch(r"[A-Za-z ]+", society.name):
            yield country.name, society.name, country.iso2


def write_nquads(target_triples: int, out: Path) -> int:
    """Build variants until the dataset holds ``target_triples``; write them as N-Quads."""
    logging.getLogger("ifrc_kg").setLevel(logging.ERROR)
    text = MALI.read_text(encoding="utf-8")
    reports = []
    total = 0
    per_report = shared = 0
    for index, (country, society, iso2) in enumerate(candidate_countries()):
        for year in YEARS:
            factor = Decimal(1) + Decimal(index % 17) / 10
            source = variant(text, country, society, iso2, year, factor)
            reports.append(parse_text(source, f"bench-{iso2.lower()}-{year}.txt"))
            if not per_report:
                first = build_dataset(reports[:1])
                shared = sum(len(graph) for graph in first.graphs()) - max(
                    len(graph) for graph in first.graphs()
                )
                per_report = len(first) - shared
            total = shared + per_report * len(reports)
            if total >= target_triples:
                break
        if total >= target_triples:
            break
    dataset = build_dataset(reports)
    out.parent.mkdir(parents=True, exist_ok=True)
    dataset.serialize(destination=str(out), format="nquads")
    return len(dataset)
