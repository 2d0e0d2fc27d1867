"""The demo's petitioners: made-up identity numbers and phones, and the intake form they fill in."""

import random
from collections.abc import Mapping
from datetime import date, datetime
from typing import Any

from cases.demo.records import DemoCase, Person

_MOBILE_PREFIXES = tuple(
    str(p) for p in (*range(130, 134), *range(135, 140), 150, 151, 152, 153, 155, 156, 157, 158)
) + ("159", "177", "180", "181", "182", "185", "186", "187", "188", "189")


def gb11643_check_digit(first17: str) -> str:
    """The GB 11643 check character of the first 17 digits of an identity number."""
    total = sum(int(d) * pow(2, 17 - i, 11) for i, d in enumerate(first17))
    return "10X98765432"[total % 11]


def id_number(rng: random.Random, region: str, born_year: int, female: bool) -> str:
    """A valid identity number of someone born in ``born_year`` in ``region``."""
    born = date(born_year, rng.randint(1, 12), rng.randint(1, 28))
    order = rng.randint(1, 499) * 2 - (0 if female else 1)  # odd: male, even: female
    first17 = f"{region}{born:%Y%m%d}{order:03d}"
    return first17 + gb11643_check_digit(first17)


def mobile(rng: random.Random) -> str:
    """A mainland mobile number."""
    return rng.choice(_MOBILE_PREFIXES) + f"{rng.randint(0, 99_999_999):08d}"


def _party(person: Person, case: DemoCase, rng: random.Random, address: str) -> dict[str, str]:
    return {
        "name": person.name,
        "id_number": id_number(rng, case.region, person.born, person.female),
        "phone": mobile(rng),
        "address": address,
    }


def intake_body(
    case: DemoCase, rng: random.Random, received_at: datetime, regions: Mapping[str, str]
) -> dict[str, Any]:
    """The intake form of the case, received at ``received_at``; the address begins with the
    region's name in the list ``regions`` (320115 → 南京市江宁区)."""
    address = regions[case.region] + case.street
    body: dict[str, Any] = {
        "channel": case.channel,
        "category": case.category,
        "petitioner": _party(case.petitioner, case, rng, address),
        "region_code": case.region,
        "subject": case.subject,
        "content": case.content,
        "requests": case.requests,
        "received_at": received_at.isoformat(),
    }
    if case.group_size > 1:
        body["group_size"] = case.group_size
        body["representatives"] = [_party(p, case, rng, address) for p in case.representatives]
    if case.accused:
        body["accused"] = dict(case.accused)
    return body
