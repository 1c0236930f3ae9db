"""Pure rules of mass screening (no Django, no I/O): the policy's numbers, pooling
arithmetic (Dorfman), the queueing model of a site and the capacity planner."""

from __future__ import annotations

from dataclasses import asdict, dataclass, fields
from typing import Any


@dataclass(frozen=True, kw_only=True)
class PlanPolicy:
    """The numbers of practice (reference/china-practice.md §6), each overridable by the
    dated ``ScreeningPolicy`` version in force."""

    people_per_site: int = 2500  # NHC 13 May 2022: one site per 2,000–3,000 people
    people_per_table: int = 700  # one sampling table per 600–800 people
    swab_seconds: float = 30.0  # one table serves 120 an hour (derived: 100–130)
    sampling_hours: float = 6.0  # 3rd edition: sampling done within 6 h (12 h if hard)
    max_queue_minutes: float = 20.0  # 3rd edition: queueing ≤ 20 min
    staff_per_table: int = 2  # a sampler and a registrar who scans
    shift_hours: float = 6.0  # hours one sampler works in protective clothing
    reserve_fraction: float = 0.2  # staff and tables held back for contingencies
    pickup_minutes: float = 60.0  # a courier run per site at least this often
    transport_minutes: float = 45.0  # site → lab (Xiamen: the lab was 45 min away)
    tubes_per_box: int = 100
    lab_run_hours: float = 4.0  # receipt → result for a tube once its run starts
    receipt_hours: float = 4.0  # alert: sealed tube not at a lab after this (≤ 4 h at room temp)
    result_hours: float = 12.0  # alert: no result this long after sealing
    default_pool_size: int = 10
    max_pool_size: int = 20  # 5/10/20 validated; 30/50-in-1 are not
    expected_prevalence: float = 0.001  # for expected positive pools and retests

    @classmethod
    def from_dict(cls, raw: dict[str, Any]) -> PlanPolicy:
        """Build from stored settings; unknown keys are an error, not silently ignored."""
        known = {f.name for f in fields(cls)}
        unknown = sorted(set(raw) - known)
        if unknown:
            raise ValueError(f"unknown screening policy settings: {', '.join(unknown)}")
        return cls(**raw)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @property
    def table_rate_per_hour(self) -> float:
        return 3600.0 / self.swab_seconds
