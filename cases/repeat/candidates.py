"""Candidates at intake: the petitioner's earlier matters and similar recent ones, scored, best first.

Two indexed look-ups, so the time does not grow with the number of cases:

1. **The person** — by the blind index of the identity number, and by name + the blind index of
   the phone (for a record that had no identity number, or a call that gave none); representatives
   of a group visit are looked up the same way. Their cases (as petitioner or as representative)
   are scored, at most ``PERSON_CASES`` of them.
2. **Similar matters of others** — the keyword index (``cases.repeat.index``) holds each case's
   keywords and particulars with their weight, its region and receipt time. The intake's most
   telling ``QUERY_TERMS`` terms each read the ``POSTINGS`` most recent postings in the same
   region; the cases that share the most weight are scored, at most ``SIMILAR_CASES`` of them.

A candidate's similarity is ``cases.repeat.matter.similarity`` (wording and particulars).
Particulars that a large share of all cases carry are turns of phrase, not names, and are left out
at look-up time. A candidate is a **likely repeat** (重复访) when it is the same person's and the
similarity reaches ``REPEAT_SIMILARITY``; ``bench/repeat.py`` measures precision and recall of that
decision. Nothing is written here.
"""

from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Connection, func, select

from cases.models import CaseKeyword
from cases.repeat.matter import PARTICULAR, matter_vector, shared_terms, similarity
from cases.runtime import Runtime
from cases.store import staff
from cases.store.tables import case_t, petitioner_t, representative_t, staff_t
from workflow import confidentiality, lifecycle
from workflow.intake import ValidIntake, ValidPerson, validate_intake

keyword_t = CaseKeyword.__table__

#: A particular shared by this share of all cases (at least ``GENERIC_MIN`` of them) is a turn of
#: phrase, not a name (人管 of 没人管); counted with a bounded index read at look-up time.
GENERIC_SHARE = 0.001
GENERIC_MIN = 20
#: The intake's keywords that look up similar matters of others, and postings read for each.
QUERY_TERMS = 8
POSTINGS = 60
#: Bounds on what is scored: the person's most recent cases, and the best similar ones of others.
PERSON_CASES = 100
SIMILAR_CASES = 30
#: Petitioner rows read per identifier (a prolific petitioner has one row per case).
PERSON_ROWS = 500
#: A similar matter of another petitioner is shown when open, or received this recently.
RECENT = timedelta(days=365)
#: A similar matter of another petitioner is shown from this similarity (the person's: always).
SIMILAR_MIN = 0.30
#: Same person and at least this similar: most likely the same matter (重复访).
REPEAT_SIMILARITY = 0.42
#: How much each part weighs in a candidate's score.
PERSON_WEIGHT = 0.45
TEXT_WEIGHT = 0.55
REGION_BONUS = 0.03
CATEGORY_BONUS = 0.02

# How strongly a petitioner row is the same person, and why.
ID_MATCH = 1.0
NAME_PHONE_MATCH = 0.9
PHONE_ONLY_MATCH = 0.4


@dataclass
class PersonMatch:
    """How strongly a petitioner row is the person at the counter, and why."""

    strength: float
    reason: str


@dataclass
class Candidate:
    """An existing case the intake may be about, with its score and the reasons."""

    case_id: int
    case_no: str
    score: float
    similarity: float
    same_person: bool
    likely_repeat: bool
    reasons: list[str]
    state: str
    subject: str
    category: str
    region_code: str
    received_at: datetime
    owner_staff_no: str
    owner_name: str
    petitioner_id: int
    terms: list[str] = field(default_factory=list)

    def as_json(self, tz: Any) -> dict[str, Any]:
        """The API's answer for one candidate (contract.md: case_no, score, reasons, and more)."""
        return {
            "case_no": self.case_no,
            "score": round(self.score, 3),
            "reasons": self.reasons,
            "likely_repeat": self.likely_repeat,
            "same_person": self.same_person,
            "similarity": round(self.similarity, 3),
            "state": self.state,
            "state_label": lifecycle.STATE_LABELS[self.state],
            "subject": self.subject,
            "category": self.category,
            "region_code": self.region_code,
            "received_at": self.received_at.astimezone(tz).isoformat(),
            "owner": {"staff_no": self.owner_staff_no, "name": self.owner_name},
        }


def person_rows(
    conn: Connection, rt: Runtime, person: ValidPerson, *, label: str = ""
) -> dict[int, PersonMatch]:
    """Petitioner rows that are this person: same identity number, or same name and phone."""
    found: dict[int, PersonMatch] = {}

    def keep(row_id: int, strength: float, reason: str) -> None:
        if row_id not in found or found[row_id].strength < strength:
            found[row_id] = PersonMatch(strength, label + reason)

    id_index = rt.cipher.blind_index(person.id_number) if person.id_number else None
    if id_index:
        for row_id in conn.execute(
            select(petitioner_t.c.id)
            .where(petitioner_t.c.id_number_index == id_index)
            .limit(PERSON_ROWS)
        ).scalars():
            keep(row_id, ID_MATCH, "身份证号码相同")
    if person.phone:
        rows = conn.execute(
            select(petitioner_t.c.id, petitioner_t.c.name, petitioner_t.c.id_number_index)
            .where(petitioner_t.c.phone_index == rt.cipher.blind_index(person.phone))
            .limit(PERSON_ROWS)
        )
        for row in rows:
            other_id = row.id_number_index
            if row.name == person.name and not (id_index and other_id and other_id != id_index):
                keep(row.id, NAME_PHONE_MATCH, "姓名和联系电话相同")
            elif row.name == person.name:
                keep(row.id, PHONE_ONLY_MATCH, "姓名和联系电话相同，但身份证号码不同")
            else:
                keep(row.id, PHONE_ONLY_MATCH, f"联系电话相同（登记姓名为{row.name}）")
    return found


def _person_cases(conn: Connection, rows: Mapping[int, PersonMatch]) -> dict[int, PersonMatch]:
    """The cases these petitioner rows brought, as petitioner or as a group's representative."""
    if not rows:
        return {}
    ids = list(rows)
    # No ORDER BY in SQL: with one, PostgreSQL may walk the received_at (or primary key) index
    # backwards filtering on the person, reading most of the table for someone with few cases.
    # The equality index with a bound is read instead, and the newest are kept here.
    as_petitioner = conn.execute(
        select(case_t.c.id, case_t.c.petitioner_id, case_t.c.received_at)
        .where(case_t.c.petitioner_id.in_(ids))
        .limit(PERSON_ROWS)
    ).all()
    as_petitioner = sorted(as_petitioner, key=lambda r: r.received_at, reverse=True)
    as_representative = conn.execute(
        select(representative_t.c.case_id, representative_t.c.petitioner_id)
        .where(representative_t.c.petitioner_id.in_(ids))
        .limit(PERSON_ROWS)
    ).all()
    as_petitioner = as_petitioner[:PERSON_CASES]
    as_representative = sorted(as_representative, reverse=True)[:PERSON_CASES]
    out: dict[int, PersonMatch] = {}
    for case_id, row_id, _ in as_petitioner:
        match = rows[row_id]
        if case_id not in out or out[case_id].strength < match.strength:
            out[case_id] = match
    for case_id, row_id in as_representative:
        match = PersonMatch(rows[row_id].strength, rows[row_id].reason + "（原事项中为代表）")
        if case_id not in out or out[case_id].strength < match.strength:
            out[case_id] = match
    return out


def generic_particulars(conn: Connection, vector: Mapping[str, float]) -> frozenset[str]:
    """The vector's particulars that so many cases share they name nothing (bounded counts)."""
    newest = conn.execute(select(func.max(case_t.c.id))).scalar() or 0
    cap = max(GENERIC_MIN, int(newest * GENERIC_SHARE))
    out = set()
    for term in vector:
        if not term.startswith(PARTICULAR):
            continue
        shared = select(keyword_t.c.case_id).where(keyword_t.c.term == term).limit(cap).subquery()
        if conn.execute(select(func.count()).select_from(shared)).scalar_one() >= cap:
            out.add(term)
    return frozenset(out)


def _similar_case_ids(
    conn: Connection, vector: Mapping[str, float], region_code: str, exclude: Iterable[int]
) -> list[int]:
    """Cases in the region sharing the most keyword weight, from bounded index ranges."""
    skip = set(exclude)
    hits: Counter[int] = Counter()
    terms = sorted(vector.items(), key=lambda kv: -kv[1])[:QUERY_TERMS]
    for term, weight in terms:
        ids = conn.execute(
            select(keyword_t.c.case_id)
            .where(keyword_t.c.term == term, keyword_t.c.region_code == region_code)
            .order_by(keyword_t.c.received_at.desc())
            .limit(POSTINGS)
        ).scalars()
        for case_id in ids:
            if case_id not in skip:
                hits[case_id] += weight
    return [case_id for case_id, _ in hits.most_common(SIMILAR_CASES)]


def _case_rows(conn: Connection, ids: Sequence[int]) -> list[Any]:
    """What a candidate shows of these cases, with their owners."""
    owner = staff_t.alias("owner")
    return list(
        conn.execute(
            select(
                case_t.c.id,
                case_t.c.case_no,
                case_t.c.state,
                case_t.c.category,
                case_t.c.region_code,
                case_t.c.subject,
                case_t.c.received_at,
                case_t.c.confidential,
                case_t.c.accused_name,
                case_t.c.accused_unit,
                case_t.c.petitioner_id,
                owner.c.staff_no.label("owner_staff_no"),
                owner.c.name.label("owner_name"),
            )
            .join(owner, owner.c.id == case_t.c.owner_id)
            .where(case_t.c.id.in_(list(ids)))
        )
    )


def _vectors(conn: Connection, ids: Sequence[int]) -> dict[int, dict[str, float]]:
    """Stored keyword vectors; a case without keywords (registered elsewhere) is read and analysed."""
    out: dict[int, dict[str, float]] = {i: {} for i in ids}
    for case_id, term, weight in conn.execute(
        select(keyword_t.c.case_id, keyword_t.c.term, keyword_t.c.weight).where(
            keyword_t.c.case_id.in_(list(ids))
        )
    ):
        out[case_id][term] = weight
    missing = [i for i, v in out.items() if not v]
    if missing:
        for row in conn.execute(
            select(case_t.c.id, case_t.c.subject, case_t.c.content, case_t.c.requests).where(
                case_t.c.id.in_(missing)
            )
        ):
            out[row.id] = matter_vector(row.subject, row.content, row.requests)
    return out


def _state_reason(state: str) -> str:
    """What the original's state means for a repeat (the reason shown last)."""
    if state == "concluded":
        return "原事项已终结：同一事实和理由不再受理（《信访工作条例》第三十六条第三款）"
    if state in lifecycle.OPEN_STATES:
        return f"原事项正在办理（{lifecycle.STATE_LABELS[state]}），不重复受理（第十九条第三款）"
    return f"原事项{lifecycle.STATE_LABELS[state]}"


def find(
    conn: Connection,
    rt: Runtime,
    valid: ValidIntake,
    *,
    now: datetime,
    viewer: lifecycle.Actor | None = None,
    viewer_unit: str | None = None,
    limit: int = 10,
) -> list[Candidate]:
    """The intake's candidates, best first; nothing is written."""
    people: dict[int, PersonMatch] = {}
    for label, person in [("", valid.petitioner)] + [
        (f"代表{p.name}：", p) for p in valid.representatives
    ]:
        for row_id, match in person_rows(conn, rt, person, label=label).items():
            if row_id not in people or people[row_id].strength < match.strength:
                people[row_id] = match
    by_person = _person_cases(conn, people)
    vector = matter_vector(valid.subject, valid.content, valid.requests)
    generic = generic_particulars(conn, vector)
    vector = {t: w for t, w in vector.items() if t not in generic}
    similar = _similar_case_ids(conn, vector, valid.region_code, by_person)
    ids = list(by_person) + similar
    if not ids:
        return []
    vectors = _vectors(conn, ids)
    out: list[Candidate] = []
    for row in _case_rows(conn, ids):
        if viewer is not None and confidentiality.hidden_from(viewer, viewer_unit, row):
            # The accused unit never learns that this person accused it (条例第三十条第三款).
            continue
        match = by_person.get(row.id)
        strength = match.strength if match else 0.0
        like = similarity(vector, valid.subject, vectors[row.id], row.subject, generic)
        sim = like.score
        recent = row.state in lifecycle.OPEN_STATES or now - row.received_at <= RECENT
        if match is None and (sim < SIMILAR_MIN or not recent):
            continue
        score = PERSON_WEIGHT * strength + TEXT_WEIGHT * sim
        reasons = [match.reason] if match else []
        terms = shared_terms(vector, vectors[row.id])
        if terms:
            reasons.append(f"事项相似度{sim:.2f}，共同关键词：{'、'.join(terms)}")
        else:
            reasons.append(f"事项相似度{sim:.2f}")
        if like.particulars == 0:
            reasons.append("所涉单位、地点、金额等要素不同，可能是另一事项")
        if row.region_code == valid.region_code:
            score += REGION_BONUS
            reasons.append(f"同一行政区划（{row.region_code}）")
        if row.category == valid.category:
            score += CATEGORY_BONUS
        likely = strength >= NAME_PHONE_MATCH and sim >= REPEAT_SIMILARITY
        if likely:
            reasons.insert(0, "很可能是同一信访人的同一事项（重复访）")
        if match is None:
            reasons.append("其他信访人反映的相似事项")
        reasons.append(_state_reason(row.state))
        out.append(
            Candidate(
                case_id=row.id,
                case_no=row.case_no,
                score=min(1.0, score),
                similarity=sim,
                same_person=strength >= NAME_PHONE_MATCH,
                likely_repeat=likely,
                reasons=reasons,
                state=row.state,
                subject=row.subject,
                category=row.category,
                region_code=row.region_code,
                received_at=row.received_at,
                owner_staff_no=row.owner_staff_no,
                owner_name=row.owner_name,
                petitioner_id=row.petitioner_id,
                terms=terms,
            )
        )
    # Likely repeats first, then by score; the newer case wins a tie.
    out.sort(key=lambda c: (not c.likely_repeat, -c.score, -c.received_at.timestamp()))
    return out[:limit]


def find_for_intake(
    conn: Connection,
    rt: Runtime,
    *,
    body: Mapping[str, Any],
    viewer_staff_no: str,
    now: datetime,
    limit: int = 10,
) -> list[Candidate]:
    """Check an intake body and find its candidates as this staff member may see them."""
    actor, row = staff.get_actor(conn, viewer_staff_no)
    valid = validate_intake(body, now=now, regions=rt.regions(conn))
    return find(conn, rt, valid, now=now, viewer=actor, viewer_unit=row.unit, limit=limit)
