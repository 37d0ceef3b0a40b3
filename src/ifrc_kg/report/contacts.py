"""Contact information: name, then role, organisation, phone, e-mail, web address.

Each contact is a name line, a blank line, then a block of detail lines. The role may
wrap ("Head of Strategic Engagement" / "and Partnerships": a line starting in lower
case or with "and"/"&" continues it); the organisation is every other line before the
phone, e-mail and address lines, wrapped lines joined back ("… Centre" / "New Delhi"
becomes "… Centre, New Delhi").
"""

from __future__ import annotations

import re

from ifrc_kg.model import Contact
from ifrc_kg.report.context import ParseContext
from ifrc_kg.report.lines import Document, Line

PHONE = re.compile(
    r"(?:(?:T|Tel\.?|Phone|Mobile|M)\s*:?\s*(?P<number>\+?\d[\d\s().-]{5,})"
    r"|(?P<bare>\+\d[\d\s().-]{5,}))"
)
EMAIL = re.compile(r"(?:E\s*:?\s*)?<?(?P<email>[\w.+-]+@[\w-]+(?:\.[\w-]+)+)>?")
URL = re.compile(r"<?(?P<url>https?://[^\s>]+)>?")


def _detail(line: Line) -> bool:
    text = line.stripped
    return bool(PHONE.fullmatch(text) or EMAIL.fullmatch(text) or URL.fullmatch(text))


def _groups(lines: tuple[Line, ...]) -> list[list[Line]]:
    groups: list[list[Line]] = []
    current: list[Line] = []
    for line in lines:
        if line.blank:
            if current:
                groups.append(current)
            current = []
        else:
            current.append(line)
    if current:
        groups.append(current)
    return groups


def parse_contacts(ctx: ParseContext, lines: tuple[Line, ...]) -> tuple[Contact, ...]:
    """Every contact under "Contact information"."""
    doc = ctx.doc
    groups = _groups(lines)
    contacts = []
    index = 0
    while index < len(groups):
        group = groups[index]
        if len(group) == 1 and index + 1 < len(groups) and not _detail(group[0]):
            name, details = group[0], groups[index + 1]
            index += 2
        elif len(group) >= 2 and not _detail(group[0]):
            name, details = group[0], group[1:]
            index += 1
        else:
            raise doc.error(
                group[0], "a contact name followed by role, organisation, phone and e-mail lines"
            )
        contacts.append(_contact(doc, name, details))
    return tuple(contacts)


def _join(lines: list[str]) -> str:
    """Lines of a wrapped organisation name joined back.

    >>> _join(["IFRC Global Strategic Planning & Reporting Centre", "New Delhi"])
    'IFRC Global Strategic Planning & Reporting Centre, New Delhi'
    >>> _join(["IFRC Country Cluster Delegation", "for Burkina Faso, Cote d'Ivoire,", "Mali"])
    "IFRC Country Cluster Delegation for Burkina Faso, Cote d'Ivoire, Mali"
    """
    joined = ""
    for line in lines:
        if not joined:
            joined = line
        elif joined.endswith(",") or line[:1].islower() or line.startswith(("&", "and ")):
            joined = f"{joined} {line}"
        else:
            joined = f"{joined}, {line}"
    return joined


def _contact(doc: Document, name: Line, details: list[Line]) -> Contact:
    phone = email = url = None
    words: list[str] = []
    for line in details:
        text = line.stripped
        if (match := PHONE.fullmatch(text)) and phone is None:
            phone = " ".join((match["number"] or match["bare"]).split())
        elif (match := EMAIL.fullmatch(text)) and email is None:
            email = match["email"]
        elif (match := URL.fullmatch(text)) and url is None:
            url = match["url"]
        elif phone is None and email is None and url is None:
            words.append(text)
        else:
            raise doc.error(line, "a phone ('T +…'), e-mail or web address line")
    role_lines = words[:1]
    rest = words[1:]
    while rest and (rest[0][:1].islower() or rest[0].startswith(("&", "and "))):
        role_lines.append(rest.pop(0))
    return Contact(
        name=name.stripped,
        role=" ".join(role_lines),
        organisation=_join(rest),
        phone=phone,
        email=email,
        url=url,
        source=doc.span(name.start, details[-1].end),
    )
