"""Exit passes: issued within the version's per-household limit (a property over sequences of
issues and revocations), refused at another area's gate, after expiry, before their start,
when revoked, forged or altered, and answered "lifted" once the area is lifted."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core import signing
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from fangkong.core import clock
from fangkong.core.errors import Conflict, DomainError, NotFound
from fangkong.core.jurisdiction import actor_for
from fangkong.core.models import AuditLog
from fangkong.risk import passes
from fangkong.risk.models import AreaStatus, ExitPass, PassCheck
from fangkong.risk.policy import risk_rules
from tests.factories import City
from tests.risk.builders import make_area, make_gate, risk_users

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(city: City):  # type: ignore[no-untyped-def]
    d1 = city.districts[0]
    area = make_area(unit=d1.grids[0])
    other = make_area(unit=d1.grids[1], code="RA-0002")
    return {"area": area, "other": other, "gate": make_gate(area),
            "other_gate": make_gate(other, name="西门"), "users": risk_users(city),
            "household": d1.households[0], "city": city}


def _issue(world, **kwargs):  # type: ignore[no-untyped-def]
    values = {"area_id": world["area"].pk, "household_id": world["household"].pk,
              "purpose": "medical"} | kwargs
    return passes.do_issue_pass(actor=actor_for(world["users"]["grid1"]), **values)


def _check(world, token: str, gate: str = "gate"):  # type: ignore[no-untyped-def]
    user = world["users"]["gate1" if gate == "gate" else "admin"]
    return passes.check_pass_at_gate(actor=actor_for(user), gate_id=world[gate].pk,
                                     token=token).result


def _at(monkeypatch, moment: dt.datetime) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setattr(clock, "now", lambda: moment)


def test_a_valid_pass_opens_its_own_gate_only(world) -> None:  # type: ignore[no-untyped-def]
    exit_pass = _issue(world, holder_id=world["city"].districts[0].persons[1].pk)
    hours = risk_rules(on=clock.city_today()).pass_valid_hours
    assert exit_pass.valid_until - exit_pass.valid_from == dt.timedelta(hours=hours)
    token = passes.pass_token(exit_pass)
    assert _check(world, token) == "pass"
    assert _check(world, token, gate="other_gate") == "wrong_gate"
    assert "<svg" in passes.pass_qr_svg(exit_pass)
    checks = PassCheck.objects.order_by("id")
    assert [c.result for c in checks] == ["pass", "wrong_gate"]
    assert checks[0].exit_pass == exit_pass and checks[0].checked_by == world["users"]["gate1"]


def test_expired_not_yet_and_revoked(world, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    start = clock.now() + dt.timedelta(hours=1)
    exit_pass = _issue(world, valid_from=start)
    token = passes.pass_token(exit_pass)
    assert _check(world, token) == "not_yet"
    _at(monkeypatch, exit_pass.valid_until + dt.timedelta(seconds=1))
    assert _check(world, token) == "expired"
    _at(monkeypatch, start + dt.timedelta(minutes=1))
    assert _check(world, token) == "pass"
    passes.do_revoke_pass(actor=actor_for(world["users"]["grid1"]), pass_id=exit_pass.pk)
    assert _check(world, token) == "revoked"
    again = passes.do_revoke_pass(actor=actor_for(world["users"]["grid1"]), pass_id=exit_pass.pk)
    assert AuditLog.objects.filter(verb="risk.pass.revoke").count() == 1 and again.revoked_at


def test_forged_and_altered_tokens(world) -> None:  # type: ignore[no-untyped-def]
    exit_pass = _issue(world)
    token = passes.pass_token(exit_pass)
    value, signature = token.rsplit(":", 1)
    serial, area_id, expiry = value.split(".")
    longer = f"{serial}.{area_id}.{int(expiry) + 86400}:{signature}"
    other_area = f"{serial}.{world['other'].pk}.{expiry}:{signature}"
    self_signed = signing.Signer(salt="elsewhere").sign(value)
    unknown = signing.Signer(salt="risk.pass").sign(f"ZZZZZZZZZZZZ.{area_id}.{expiry}")
    moved = signing.Signer(salt="risk.pass").sign(f"{serial}.{world['other'].pk}.{expiry}")
    for bad in (longer, other_area, self_signed, unknown, moved, "", "x" * 5000):
        assert _check(world, bad) == "forged", bad
    assert not PassCheck.objects.exclude(exit_pass=None).exists()


def test_a_lifted_area_needs_no_pass(world) -> None:  # type: ignore[no-untyped-def]
    token = passes.pass_token(_issue(world))
    area = world["area"]
    area.status = AreaStatus.LIFTED
    area.save()
    assert _check(world, token) == "lifted"
    with pytest.raises(Conflict):
        _issue(world)


def test_issue_refuses_bad_input(world) -> None:  # type: ignore[no-untyped-def]
    d1 = world["city"].districts[0]
    cases = [({"purpose": "party"}, "purpose"),
             ({"household_id": d1.households[1].pk}, None),  # grid 2: out of grid1's scope
             ({"holder_id": d1.persons[5].pk}, "holder_id"),
             ({"valid_from": clock.now() - dt.timedelta(hours=1)}, "valid_from"),
             ({"valid_from": clock.now() + dt.timedelta(days=30)}, "valid_from")]
    for kwargs, field in cases:
        with pytest.raises(DomainError) as err:
            _issue(world, **kwargs)
        assert err.value.field == field
    officer = actor_for(world["users"]["officer1"])
    with pytest.raises(DomainError) as err:  # the officer sees it, but it is not in the area
        passes.do_issue_pass(actor=officer, area_id=world["area"].pk,
                             household_id=d1.households[1].pk, purpose="medical")
    assert err.value.field == "household_id"
    assert not ExitPass.objects.exists()


def test_district_2_sees_nothing(world) -> None:  # type: ignore[no-untyped-def]
    exit_pass = _issue(world)
    officer2 = actor_for(world["users"]["officer2"])
    assert not passes.passes_of(officer2, world["area"]).exists()
    assert not passes.gates_for(officer2).exists()
    for call in (lambda: passes.do_revoke_pass(actor=officer2, pass_id=exit_pass.pk),
                 lambda: passes.check_pass_at_gate(actor=officer2, gate_id=world["gate"].pk,
                                                   token=passes.pass_token(exit_pass))):
        with pytest.raises((NotFound, DomainError)):
            call()
    assert list(passes.gates_for(actor_for(world["users"]["gate1"]))) == [world["gate"]]


OPS = st.lists(st.tuples(st.sampled_from(["issue", "revoke"]), st.integers(0, 72)),
               min_size=1, max_size=12)


@settings(max_examples=25, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(ops=OPS)
def test_household_limit_holds_over_any_sequence(world, ops) -> None:  # type: ignore[no-untyped-def]
    """Whatever the order of issues (at any start within the period) and revocations, no
    window of one period holds more live passes than the version allows."""
    ExitPass.objects.all().delete()
    rules = risk_rules(on=clock.city_today())
    base = clock.now()
    for op, hours in ops:
        if op == "revoke":
            live = ExitPass.objects.filter(revoked_at=None).order_by("id").first()
            if live is not None:
                passes.do_revoke_pass(actor=actor_for(world["users"]["grid1"]), pass_id=live.pk)
            continue
        start = base + dt.timedelta(hours=hours % (rules.pass_period_days * 24))
        try:
            _issue(world, valid_from=start)
        except Conflict:
            assert passes.passes_in_window(world["household"], start, rules) >= (
                rules.pass_per_household)
    starts = sorted(ExitPass.objects.filter(revoked_at=None).values_list("valid_from",
                                                                         flat=True))
    period = dt.timedelta(days=rules.pass_period_days)
    for i, first in enumerate(starts):
        assert sum(1 for s in starts[i:] if s < first + period) <= rules.pass_per_household
