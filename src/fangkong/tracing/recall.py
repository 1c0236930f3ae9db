"""How much of the true infection tree the contact rules recover (Django-free).

The synthetic outbreak records who infected whom (``infections.parquet``). A true infectee
is *eligible* when its infector is a case, the infection happened inside that case's
infectious window as the engines define it (rule 1: ``[W0, W1)``), and the infectee is not
a case itself (rule 6: a case is never listed as a contact). An eligible infectee is
*found* when the contacts table lists it under its infector's case, as any contact type.

``score_recall`` counts the funnel to the eligible infectees and, for each eligible one, the
set of ``type/rule`` keys (``close/venue``, ``secondary/household``, ``companion/cell`` …)
under which it was found; ``Recall`` answers recall and cost for any group of keys.
Cost is contacts listed ÷ true infectees found: how many people a rule sends to quarantine
for each infection it catches.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

import duckdb
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from fangkong.tracing.engine.base import CONTACT_TYPES, RULES, ContactPolicy, infectious_start

# The pairs an engine can emit: companions are always cell, close and secondary never are.
KEYS = ("close/household", "close/venue", "secondary/household", "secondary/venue",
        "companion/cell")
SETTINGS = ("household", "venue")  # how a true infectee was infected (seeds have no infector)


@dataclass(frozen=True, kw_only=True)
class Recall:
    """The funnel to the eligible infectees and what the contacts table found of them."""

    infectees: int  # true infectees with an infector (the seeds have none)
    infector_case: int  # ... whose infector is a case (in scope)
    in_window: int  # ... infected inside that case's window [W0, W1)
    already_case: int  # ... who are cases themselves, so never a contact (rule 6)
    eligible: dict[str, int]  # eligible infectees by true setting
    found: dict[tuple[str, frozenset[str]], int]  # (setting, keys that found them) → count
    listed: dict[str, int]  # contact rows per key, over the cases in scope
    other_case: int  # eligible, missed under the infector's case, listed under another case

    @property
    def n_eligible(self) -> int:
        return sum(self.eligible.values())

    @property
    def share_eligible(self) -> float:
        return self.n_eligible / self.infectees if self.infectees else 0.0

    def n_found(self, keys: Iterable[str] = KEYS, *, setting: str | None = None) -> int:
        """Eligible infectees found under at least one of ``keys``."""
        want = set(keys)
        return sum(n for (s, got), n in self.found.items()
                   if got & want and setting in (None, s))

    def recall(self, keys: Iterable[str] = KEYS, *, setting: str | None = None) -> float:
        base = self.n_eligible if setting is None else self.eligible.get(setting, 0)
        return self.n_found(keys, setting=setting) / base if base else 0.0

    def cost(self, keys: Iterable[str]) -> float | None:
        """Contacts listed under ``keys`` per eligible infectee they found (None: found none)."""
        keys = set(keys)
        found = self.n_found(keys)
        return sum(self.listed.get(k, 0) for k in keys) / found if found else None


def keys_for(*, rule: str | None = None, contact_type: str | None = None) -> tuple[str, ...]:
    """The ``type/rule`` keys of one rule, one contact type, or both."""
    if rule is not None and rule not in RULES:
        raise ValueError(f"unknown rule {rule!r}")
    if contact_type is not None and contact_type not in CONTACT_TYPES:
        raise ValueError(f"unknown contact type {contact_type!r}")
    return tuple(k for k in KEYS if rule in (None, k.split("/")[1])
                 and contact_type in (None, k.split("/")[0]))


def case_windows(cases: pa.Table, *, policy: ContactPolicy, as_of: dt.datetime) -> pa.Table:
    """case_id, person_id, w0, w1 (UTC epoch seconds) of every case, as rule 1 defines them."""
    rows = cases.select(["case_id", "person_id", "onset_date", "sample_date",
                         "isolated_at"]).to_pylist()
    w0 = [infectious_start(onset=r["onset_date"], sample=r["sample_date"], policy=policy)
          for r in rows]
    w1 = [r["isolated_at"] or as_of for r in rows]
    return pa.table({
        "case_id": pa.array([r["case_id"] for r in rows], pa.int64()),
        "person_id": pa.array([r["person_id"] for r in rows], pa.int64()),
        "w0": pa.array([int(t.timestamp()) for t in w0], pa.int64()),
        "w1": pa.array([int(t.timestamp()) for t in w1], pa.int64()),
    })


_TRUTH = """
SELECT i.person_id AS infectee, i.setting, w.case_id,
       coalesce(w.case_id IN (SELECT case_id FROM scope), false) AS of_case,
       coalesce(epoch(i.infected_at) >= w.w0 AND epoch(i.infected_at) < w.w1, false)
           AS in_window,
       i.person_id IN (SELECT person_id FROM windows) AS is_case
FROM infections i LEFT JOIN windows w ON w.person_id = i.infector_id
WHERE i.infector_id IS NOT NULL
"""

_FOUND = """
SELECT t.infectee, t.setting,
       list_sort(list(DISTINCT c.contact_type || '/' || c.rule)
                 FILTER (WHERE c.index_case_id = t.case_id)) AS keys,
       bool_or(c.index_case_id IS NOT NULL) AS anywhere
FROM truth t LEFT JOIN contacts c ON c.person_id = t.infectee
WHERE t.of_case AND t.in_window AND NOT t.is_case
GROUP BY t.infectee, t.setting
"""


def score_recall(*, infections: pa.Table, cases: pa.Table, contacts: pa.Table,
                 policy: ContactPolicy, as_of: dt.datetime,
                 case_ids: frozenset[int] | None = None) -> Recall:
    """Score ``contacts`` (OUTPUT_SCHEMA) against the true tree. ``case_ids`` limits both the
    infectors counted and the contact rows to those cases, as the incremental path does."""
    windows = case_windows(cases, policy=policy, as_of=as_of)
    scope = windows.select(["case_id"])
    if case_ids is not None:
        scope = pa.table({"case_id": pa.array(sorted(case_ids), pa.int64())})
        contacts = contacts.filter(pc.is_in(contacts["index_case_id"], scope["case_id"]))
    con = duckdb.connect()
    try:
        con.register("infections", infections)
        con.register("windows", windows)
        con.register("scope", scope)
        con.register("contacts", contacts.select(["person_id", "index_case_id",
                                                  "contact_type", "rule"]))
        con.execute(f"CREATE TEMP TABLE truth AS {_TRUTH}")
        of_case, in_window, is_case, total = con.execute(
            "SELECT count(*) FILTER (of_case), count(*) FILTER (of_case AND in_window), "
            "count(*) FILTER (of_case AND in_window AND is_case), count(*) FROM truth"
        ).fetchone() or (0, 0, 0, 0)
        eligible: Counter[str] = Counter()
        found: Counter[tuple[str, frozenset[str]]] = Counter()
        other = 0
        for _, setting, keys, anywhere in con.execute(_FOUND).fetchall():
            eligible[setting] += 1
            if keys:
                found[setting, frozenset(keys)] += 1
            elif anywhere:
                other += 1
        listed = dict(con.execute(
            "SELECT contact_type || '/' || rule, count(*) FROM contacts GROUP BY ALL"
        ).fetchall())
    finally:
        con.close()
    return Recall(infectees=total, infector_case=of_case, in_window=in_window,
                  already_case=is_case, eligible=dict(eligible), found=dict(found),
                  listed=listed, other_case=other)


def score_city(city: Path, contacts: pa.Table, *, policy: ContactPolicy, as_of: dt.datetime,
               case_ids: frozenset[int] | None = None) -> Recall:
    """``score_recall`` over a synthetic city folder (``infections``/``cases.parquet``)."""
    return score_recall(infections=pq.read_table(city / "infections.parquet"),
                        cases=pq.read_table(city / "cases.parquet"), contacts=contacts,
                        policy=policy, as_of=as_of, case_ids=case_ids)


ROWS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("any contact", KEYS),
    ("household + venue (no phones)", keys_for(rule="household") + keys_for(rule="venue")),
    ("rule household", keys_for(rule="household")),
    ("rule venue", keys_for(rule="venue")),
    ("rule cell (companion)", keys_for(rule="cell")),
    ("close", keys_for(contact_type="close")),
    ("secondary", keys_for(contact_type="secondary")),
    *((f"{k.split('/')[0]}, {k.split('/')[1]}", (k,)) for k in KEYS[:4]),
)


def _pct(x: float) -> str:
    return f"{100 * x:.1f} %"


def format_recall(r: Recall) -> str:
    """The funnel as one line and the recall per rule and type as a Markdown table."""
    head = (f"True infectees {r.infectees:,}; infector is a case {r.infector_case:,}; "
            f"infected inside the case's window {r.in_window:,}; of these "
            f"{r.already_case:,} are cases themselves (never contacts, rule 6). Eligible: "
            f"{r.n_eligible:,} ({_pct(r.share_eligible)} of true infectees; "
            + ", ".join(f"{r.eligible.get(s, 0):,} infected in a {s}" for s in SETTINGS)
            + f"). Missed under the infector's case but listed under another case: "
            f"{r.other_case:,}.")
    lines = [head, "",
             "| found as | infectees found | recall | of household infections "
             "| of venue infections | contacts listed | contacts per infectee found |",
             "|---|---:|---:|---:|---:|---:|---:|"]
    for label, keys in ROWS:
        cost = r.cost(keys)
        lines.append(
            f"| {label} | {r.n_found(keys):,} | {_pct(r.recall(keys))} "
            + " ".join(f"| {_pct(r.recall(keys, setting=s))}" for s in SETTINGS)
            + f" | {sum(r.listed.get(k, 0) for k in keys):,} "
            f"| {'–' if cost is None else f'{cost:,.1f}'} |")
    return "\n".join(lines) + "\n"
