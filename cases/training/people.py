"""The people of a run: the scenario's petitioner (and group) as new persons of that run.

Each run gives its petitioner identity numbers and a phone number of its own, so one run's matters
never appear as another run's earlier petitions, and the run's cases are found by them.
"""

from typing import Any

from workflow.training.scenario import Scenario, identity_number


def people_of(sc: Scenario, run_id: int) -> list[dict[str, Any]]:
    """The petitioner first, then the group's other members, each with name, identity number and
    phone."""
    out = []
    for i, person in enumerate([sc.petitioner, *sc.group]):
        serial = (run_id * 17 + i) % 1000
        out.append(
            {
                "name": person["name"],
                "id_number": identity_number(
                    person.get("region", "320102"), person.get("birth", "19700101"), serial
                ),
                "phone": f"139{run_id % 10000:04d}{i:04d}",
                "address": person.get("address", sc.petitioner.get("address", "")),
            }
        )
    return out


def intake_facts(sc: Scenario, run_id: int) -> dict[str, Any]:
    """What the petitioner tells and shows the trainee, to register (never what to decide)."""
    people = people_of(sc, run_id)
    return {
        **sc.intake,
        "petitioner": people[0],
        "group": people[1:],
        "documents": list(sc.documents),
    }


def intake_body(sc: Scenario, run_id: int) -> dict[str, Any]:
    """An intake body of the scenario's matter (for seeded cases and scripted trainees)."""
    facts = intake_facts(sc, run_id)
    body = {
        k: facts[k]
        for k in ("channel", "category", "region_code", "subject", "content", "requests")
        if k in facts
    }
    body["petitioner"] = {
        k: facts["petitioner"][k] for k in ("name", "id_number", "phone", "address")
    }
    return body
