"""Report-shaped benchmark data: the Mali report rewritten for many countries and years.

Each variant keeps the template and changes what a real report of another country would:
the country, its National Society, the year, the appeal and DREF codes and every table
figure (scaled), so the graph has the shape and size of a real multi-report publication.
"""

from __future__ import annotations

import argparse
import logging
import re
from collections.abc import Callable, Iterator
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


# --- a corpus of report files, with structural variety ----------------------------------------

#: Structural variants (from the tests' generator), applied before the country rewrite; the
#: first is "as printed". Not "without contacts": the parser takes a report that ends before
#: its contacts as cut short (a format error, tested as one), so it is no corpus member.
#: Each report of the corpus gets one, in turn.
STRUCTURES = (
    "as printed",
    "partner added and removed",
    "two DREFs",
    "without partner matrix",
    "without migration narrative",
    "reordered indicators",
    "without financial overview",
    "without operations",
)


def _structure(name: str) -> Callable[[str], str]:
    from tests import variants

    functions: dict[str, Callable[[str], str]] = {
        "as printed": lambda text: text,
        "partner added and removed": variants.partner_added_and_removed,
        "two DREFs": variants.two_drefs,
        "without partner matrix": variants.without_partner_matrix,
        "without migration narrative": variants.without_migration_narrative,
        "reordered indicators": variants.reordered_indicators,
        "without financial overview": variants.without_financial_overview,
        "without operations": variants.without_operations,
    }
    return functions[name]


def corpus_texts(count: int) -> Iterator[tuple[str, str]]:
    """``count`` (file name, text) reports: countries × years, varied figures and structure.

    Country after country (every candidate country with a simply named society), each over
    the years 2019-2024, so 1,000 reports cover some 170 countries. Each report gets the next
    structural variant in turn, and its figures a factor of its own.
    """
    mali = MALI.read_text(encoding="utf-8")
    countries = list(candidate_countries())
    for index in range(count):
        country, society, iso2 = countries[index // len(YEARS) % len(countries)]
        year = YEARS[index % len(YEARS)]
        if index >= len(countries) * len(YEARS):
            raise ValueError(f"at most {len(countries) * len(YEARS)} distinct reports")
        structure = STRUCTURES[index % len(STRUCTURES)]
        factor = Decimal(1) + Decimal(index % 17) / 10
        text = variant(_structure(structure)(mali), country, society, iso2, year, factor)
        yield f"{iso2.lower()}-{year}.txt", text


def write_corpus(count: int, out: Path) -> list[Path]:
    """Write ``count`` generated reports into ``out`` (replacing its ``*.txt``)."""
    out.mkdir(parents=True, exist_ok=True)
    for old in out.glob("*.txt"):
        old.unlink()
    paths = []
    for name, text in corpus_texts(count):
        path = out / name
        path.write_text(text, encoding="utf-8")
        paths.append(path)
    return paths


def main() -> None:
    parser = argparse.ArgumentParser(description="Write a generated corpus of reports.")
    parser.add_argument("--count", type=int, default=1000)
    parser.add_argument("--out", type=Path, default=Path("bench/.cache/reports"))
    args = parser.parse_args()
    paths = write_corpus(args.count, args.out)
    print(f"wrote {len(paths)} reports into {args.out}")


if __name__ == "__main__":
    main()
