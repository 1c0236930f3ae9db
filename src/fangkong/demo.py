"""The demo: a generated city in an embedded SQLite database, with one login per kind of user.

Passwords are random per installation and kept in ``$FANGKONG_DATA_DIR/demo-logins.json``
(readable by the owner only) so that running the demo again prints the same logins.
"""

from __future__ import annotations

import json
import os
import secrets
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.conf import settings
from django.contrib.auth.models import User

from fangkong.core.models import AdminUnit, Level
from fangkong.core.rights import Role
from fangkong.core.users import do_create_user


@dataclass(frozen=True)
class Login:
    username: str
    password: str
    unit: str
    roles: list[str]
    note: str


def city_dir(*, residents: int, seed: int) -> Path:
    return Path(settings.DATA_DIR) / "synth" / f"city-{residents}-{seed}"


def ensure_city(*, residents: int, seed: int) -> Path:
    """Generate the city's files unless a finished run (``meta.json``) is already there."""
    out = city_dir(residents=residents, seed=seed)
    if not (out / "meta.json").is_file():
        from fangkong.synth.generate import generate_city

        generate_city(out=out, residents=residents, seed=seed, progress=True)
    return out


def _first(level: Level, parent: AdminUnit | None = None) -> AdminUnit:
    qs = AdminUnit.objects.filter(level=level)
    if parent is not None:
        qs = qs.filter(parent=parent)
    unit = qs.order_by("code").first()
    if unit is None:
        raise LookupError(f"the registry has no unit at level {level.label}")
    return unit


def demo_plan() -> list[tuple[str, AdminUnit, list[str], str]]:
    """(username, unit, roles, note) for each demo login."""
    city = _first(Level.CITY)
    districts = list(AdminUnit.objects.filter(level=Level.DISTRICT).order_by("code")[:2])
    grid = _first(Level.GRID, None)
    plan = [
        ("admin", city, [Role.CITY_ADMIN.value], "city administrator: everything"),
        ("commander", city, [Role.COMMANDER.value], "command centre: whole city, masked"),
        ("auditor", city, [Role.AUDITOR.value], "reads the audit log"),
    ]
    for i, district in enumerate(districts, start=1):
        plan.append((f"officer{i}", district, [Role.DISTRICT_OFFICER.value],
                     f"district officer of {district.name} only"))
    if districts:
        street = _first(Level.STREET, districts[0])
        plan.append(("street1", street, [Role.STREET_WORKER.value],
                     f"street worker of {street.name}: its tasks and hotline tickets"))
        plan.append(("tracer1", districts[0], [Role.TRACER.value],
                     f"tracer of {districts[0].name}: cases, contacts, risk points"))
    if len(districts) > 1:
        plan.append(("sampler1", districts[1], [Role.SAMPLER.value],
                     f"sampler at the tables of {districts[1].name} (screening round 2)"))
    plan.append(("lab1", city, [Role.LAB_STAFF.value],
                 "lab staff: receives boxes, imports results (every lab)"))
    above = AdminUnit.objects.filter(pk__in=[grid.district_id, grid.street_id,
                                             grid.community_id, grid.pk]).order_by("level")
    path = " / ".join(u.name for u in above)
    plan.append(("grid1", grid, [Role.GRID_WORKER.value],
                 f"grid worker of {path}: sees full ID and phone numbers (audited)"))
    plan.append(("hotline1", city, [Role.HOTLINE_AGENT.value],
                 "12345 hotline agent: takes calls, routes tickets, calls back"))
    return (plan + _risk_plan(districts) + _healthcode_plan() + _warning_plan(city)
            + _supply_plan(districts))


def _warning_plan(city: AdminUnit) -> list[tuple[str, AdminUnit, list[str], str]]:
    """A fever clinic's staff (the first hospital) and a checkpoint's (the whole city)."""
    from fangkong.registry.models import Venue, VenueType

    plan = [("checkpoint1", city, [Role.CHECKPOINT.value],
             "station and road checkpoint staff: records arrivals (scans and lists)")]
    clinic = Venue.objects.filter(type=VenueType.HOSPITAL, grid__isnull=False).order_by("pk")
    hospital = clinic.select_related("grid").first()
    if hospital is not None and hospital.grid is not None:
        plan.append(("clinic1", hospital.grid, [Role.CLINIC.value],
                     f"fever clinic of {hospital.name}: reports its visits"))
    return plan


def _supply_plan(districts: list[AdminUnit]) -> list[tuple[str, AdminUnit, list[str], str]]:
    """A market's staff (the first market or supermarket), the cold stores' of the first
    district (its demo warehouse and markets) and a vaccination site's there."""
    from fangkong.registry.models import Venue, VenueType

    plan = []
    market = (Venue.objects.filter(type__in=[VenueType.MARKET, VenueType.SUPERMARKET],
                                   grid__isnull=False).select_related("grid").order_by("pk")
              .first())
    if market is not None and market.grid is not None:
        plan.append(("market1", market.grid, [Role.MARKET.value],
                     f"{market.name}: reports its daily stock and prices"))
    if districts:
        plan.append(("coldstore1", districts[0], [Role.COLD_STORE.value],
                     f"cold stores of {districts[0].name}: batches, movements, handlers"))
        plan.append(("vaccinator1", districts[0], [Role.VACCINATOR.value],
                     f"vaccination site of {districts[0].name}: records doses, uploads"))
    return plan


def _risk_plan(districts: list[AdminUnit]) -> list[tuple[str, AdminUnit, list[str], str]]:
    """The quarantine manager of the first district, and the volunteer and gate keeper of the
    grid of its first sealed building (known once screening found its cases)."""
    from fangkong.risk.demo import demo_grid

    plan = []
    if districts:
        plan.append(("hotel1", districts[0], [Role.QUARANTINE_MANAGER.value],
                     f"quarantine hotels of {districts[0].name}: rooms, transport, checks"))
    sealed = demo_grid()
    if sealed is not None:
        path = " / ".join(u.name for u in AdminUnit.objects.filter(
            pk__in=[sealed.community_id, sealed.pk]).order_by("level"))
        plan.append(("volunteer1", sealed, [Role.VOLUNTEER.value],
                     f"volunteer of {path} (a sealed building): requests, roster, passes"))
        plan.append(("gate1", sealed, [Role.GATE_KEEPER.value],
                     f"gate keeper of {path}: scans exit passes at the sealed building"))
    return plan


def _healthcode_plan() -> list[tuple[str, AdminUnit, list[str], str]]:
    """The door staff of a shop of the first district (the gate page) and a pharmacist."""
    from fangkong.healthcode.demo import gate_venue, pharmacy_venue

    plan = []
    for username, venue, role, note in (
            ("door1", gate_venue(), Role.DOOR_STAFF, "door staff of {name}: scans health codes"
                                                     " at the gate page (offline too)"),
            ("pharmacy1", pharmacy_venue(), Role.PHARMACY,
             "pharmacist of {name}: reports sales of watched medicines")):
        if venue is not None and venue.grid is not None:
            plan.append((username, venue.grid, [role.value], note.format(name=venue.name)))
    return plan


def ensure_logins() -> list[Login]:
    path = Path(settings.DATA_DIR) / "demo-logins.json"
    saved = json.loads(path.read_text()) if path.is_file() else {}
    logins = []
    for username, unit, roles, note in demo_plan():
        password = saved.get(username) or secrets.token_urlsafe(9)
        if not User.objects.filter(username=username).exists():
            do_create_user(actor=None, username=username, password=password,
                           unit_code=unit.code, roles=roles)
        saved[username] = password
        logins.append(Login(username, password, unit.name, roles, note))
    path.write_text(json.dumps(saved, indent=1))
    os.chmod(path, 0o600)
    return logins


def seed_tracing(*, city: Path) -> dict[str, int]:
    """Cases, contacts and risk points from the generated city (once; see tracing.demo):
    imported by the administrator, risk points reviewed by the first district's officer."""
    from fangkong.core.jurisdiction import actor_for
    from fangkong.tracing.demo import seed_demo_tracing

    admin = actor_for(User.objects.get(username="admin"))
    officer = User.objects.filter(username="officer1").first()
    return seed_demo_tracing(city=city, actor=admin,
                             reviewer=actor_for(officer) if officer else None)


def seed_screening(*, seed: int = 2022) -> dict[str, int]:
    """Labs and two screening rounds (once; see testing.demo): round 1 run by the first
    district's officer, round 2 by the administrator, results imported by ``lab1``."""
    from fangkong.core.jurisdiction import Actor, actor_for
    from fangkong.testing.demo import seed_demo_screening

    def actor(name: str) -> Actor:
        return actor_for(User.objects.get(username=name))

    return seed_demo_screening(admin=actor("admin"), organiser=actor("officer1"),
                               lab=actor("lab1"), seed=seed)


def seed_risk(*, seed: int = 2022) -> dict[str, int]:
    """Risk areas of the first district (once; see risk.demo): designated by ``officer1``,
    requests taken by ``volunteer1``, passes scanned by ``gate1``."""
    from fangkong.core.jurisdiction import actor_for
    from fangkong.risk.demo import seed_demo_risk

    cast = {u.username: actor_for(u) for u in User.objects.filter(
        username__in=["officer1", "volunteer1", "gate1"])}
    if "officer1" not in cast:
        return {}
    return seed_demo_risk(officer=cast["officer1"], volunteer=cast.get("volunteer1"),
                          gate=cast.get("gate1"), seed=seed)


def seed_quarantine(*, seed: int = 2022) -> dict[str, int]:
    """Quarantine hotels and orders of the first district (once; see quarantine.demo): run by
    ``hotel1``, orders made by ``officer1``."""
    from fangkong.core.jurisdiction import actor_for
    from fangkong.quarantine.demo import seed_demo_quarantine

    cast = {u.username: actor_for(u) for u in User.objects.filter(
        username__in=["hotel1", "officer1"])}
    if len(cast) < 2:
        return {}
    return seed_demo_quarantine(manager=cast["hotel1"], officer=cast["officer1"], seed=seed)


def seed_healthcode(*, seed: int = 2022, progress: bool = True) -> dict[str, Any]:
    """Health codes (see healthcode.demo): the key, pop-ups, a pending misuse-flagged change
    asked by ``officer1``, an appeal, check-ins at ``door1``'s venue, every resident's code."""
    import random

    from fangkong.core.jurisdiction import actor_for
    from fangkong.healthcode.demo import Cast, seed_demo_healthcode

    cast = {u.username: actor_for(u) for u in User.objects.filter(
        username__in=["admin", "officer1", "pharmacy1", "lab1"])}
    if "admin" not in cast or "officer1" not in cast:
        return {}
    return seed_demo_healthcode(progress=progress, cast=Cast(
        admin=cast["admin"], officer=cast["officer1"], pharmacy=cast.get("pharmacy1"),
        lab=cast.get("lab1"), rnd=random.Random(seed)))


def healthcode_links(*, url: str) -> list[str]:
    """Full links to a red and a green resident's code page (a resident has no login)."""
    from fangkong.healthcode.demo import demo_residents
    from fangkong.healthcode.resident import resident_link

    return [f"{colour} resident's code: {url}{resident_link(person)}"
            for colour, person in demo_residents().items()]


def format_logins(logins: list[Login], *, url: str) -> str:
    width = max([4, *(len(x.username) for x in logins)])
    lines = [f"Fangkong demo: open {url}", "", f"{'user':<{width}} {'password':<14} unit / role"]
    lines += [f"{x.username:<{width}} {x.password:<14} {x.unit} · {x.note}" for x in logins]
    return "\n".join(lines)


def seed_command_centre(*, seed: int = 2022) -> list[tuple[str, dict[str, int]]]:
    """The hotline's calls (taken by ``hotline1``, answered by ``street1``, called back),
    early warning's arrivals, self-reports and sentinel history (its anomaly raises a task),
    the HQ's directives and their tasks, then the dashboard's figures over the demo's days
    and yesterday's situation reports: last, because they read everything above (once)."""
    from fangkong.coldchain.demo_coldchain import seed_coldchain
    from fangkong.command.demo_figures import seed_figures
    from fangkong.command.demo_reports import seed_reports
    from fangkong.command.demo_tasks import seed_tasks
    from fangkong.hotline.demo_followup import seed_followup
    from fangkong.hotline.demo_tickets import seed_tickets
    from fangkong.simulation.demo_scenarios import seed_scenarios
    from fangkong.supplies.demo_supplies import seed_supplies
    from fangkong.vaccination.demo_vaccination import seed_vaccination
    from fangkong.warning.demo_anomaly import seed_anomaly
    from fangkong.warning.demo_arrivals import seed_arrivals
    from fangkong.warning.demo_sentinel import seed_sentinel

    return [(name, step(seed=seed)) for name, step in (
        ("hotline", seed_tickets), ("hotline follow-up", seed_followup),
        ("directives", seed_tasks),  # before the anomaly's task: it seeds only an empty table
        ("fever clinic", seed_sentinel), ("arrivals and self-reports", seed_arrivals),
        ("sentinel anomalies", seed_anomaly),
        ("supplies and prices", seed_supplies), ("cold chain", seed_coldchain),
        ("vaccination", seed_vaccination), ("simulation scenarios", seed_scenarios),
        ("dashboard", seed_figures), ("situation reports", seed_reports))]
