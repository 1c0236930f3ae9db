"""The hotline's intake in the demo city: two days of 12345 calls, web messages and residents'
messages, each opened through its action at its moment in the story (``at`` moves the clock).
``hotline1`` takes the calls; ``street1`` responds to most of its street's older tickets and
leaves the latest waiting (some of them overdue by now); a few calls could not be placed and
wait in the city's "to route" queue, one of them routed by hand. Told once: any phone ticket
means the story was told."""

from __future__ import annotations

import datetime as dt
import random

from django.contrib.auth.models import User

from fangkong.core import clock
from fangkong.core.jurisdiction import Actor, actor_for
from fangkong.core.models import AdminUnit, Level
from fangkong.healthcode.resident import resident_token
from fangkong.hotline import tickets
from fangkong.hotline.models import Channel, Ticket, TicketStatus
from fangkong.registry.models import Building, Person
from fangkong.testing.demo_steps import at

CALLS = 36
WEB = 6
RESIDENT = 4
UNROUTED = 3
RESPONDED_SHARE = 0.7
SUBJECTS = {
    "supply": ["封控楼两天没有送菜", "家里米面快吃完了", "老人独居需要代购生活用品"],
    "medical": ["胰岛素明天用完", "孕妇需要按时产检", "透析病人需要出小区", "孩子发烧需要就医"],
    "code": ["核酸阴性但健康码仍是黄码", "健康码弹窗无法出行", "时空伴随误判申请核实"],
    "quarantine": ["居家隔离期限咨询", "隔离酒店条件反映"],
    "testing": ["核酸采样点排队太长", "核酸结果迟迟不出", "行动不便老人需要上门采样"],
    "travel": ["返京需要什么证明", "外地来人是否需要报备"],
    "complaint": ["小区门口设卡影响就医", "物业不让快递进小区"],
    "other": ["咨询捐赠物资渠道", "志愿者报名"],
}
WEIGHTS = {"supply": 6, "medical": 4, "code": 5, "testing": 4, "quarantine": 2, "travel": 2,
           "complaint": 2, "other": 1}
ADDRESSES = ["城东菜市场附近", "火车站南广场", "长途汽车站旁边小区"]


def _login(name: str) -> Actor | None:
    user = User.objects.filter(username=name).first()
    return actor_for(user) if user is not None else None


def _category(rnd: random.Random) -> str:
    return rnd.choices(list(WEIGHTS), weights=list(WEIGHTS.values()))[0]


def _people(street: AdminUnit | None, rnd: random.Random) -> list[Person]:
    """Half the callers from ``street1``'s street (so its queue tells the story), the rest
    from anywhere in the city."""
    alive = Person.objects.filter(inactive_since__isnull=True, purged=False,
                                  household__isnull=False)
    local = list(alive.filter(street=street).order_by("?")[:CALLS]) if street else []
    anywhere = list(alive.order_by("?")[:CALLS])
    chosen = local[:CALLS // 2] + anywhere[:CALLS - len(local[:CALLS // 2])]
    rnd.shuffle(chosen)
    return chosen


def _call(agent: Actor, person: Person, rnd: random.Random, n: int) -> Ticket:
    category = _category(rnd)
    building = person.household.building if person.household and rnd.random() < 0.3 else None
    return tickets.do_take_call(
        actor=agent, category=category, subject=rnd.choice(SUBJECTS[category]),
        description="来电人反映：" + rnd.choice(SUBJECTS[category]), caller_name=person.name,
        caller_phone=person.phone, person_id=None if building else person.pk,
        building_id=building.pk if building else None, client_key=f"demo-call-{n}")


def _calls(agent: Actor, street: AdminUnit | None, rnd: random.Random,
           now: dt.datetime) -> list[Ticket]:
    made = []
    for n, person in enumerate(_people(street, rnd)):
        with at(now - dt.timedelta(minutes=rnd.randint(5, 48 * 60))):
            made.append(_call(agent, person, rnd, n))
    for n in range(UNROUTED):
        with at(now - dt.timedelta(minutes=rnd.randint(20, 600))):
            made.append(tickets.do_take_call(
                actor=agent, category="complaint", subject="路边临时设卡影响通行",
                caller_name="匿名", caller_phone=f"1370000{n:04d}",
                address=ADDRESSES[n % len(ADDRESSES)], client_key=f"demo-unrouted-{n}"))
    return made


def _public(street: AdminUnit | None, rnd: random.Random, now: dt.datetime) -> int:
    streets = list(AdminUnit.objects.filter(level=Level.STREET).order_by("code"))
    count = 0
    for n in range(WEB):
        category = _category(rnd)
        with at(now - dt.timedelta(minutes=rnd.randint(10, 36 * 60))):
            tickets.do_open_web_ticket(
                street_id=(street or rnd.choice(streets)).pk if n % 2 == 0
                else rnd.choice(streets).pk, category=category,
                subject=rnd.choice(SUBJECTS[category]), description="网上留言",
                caller_name="网友", caller_phone=f"1590000{n:04d}",
                client_key=f"demo-web-{n:04d}", ip=f"10.20.0.{n + 1}")
        count += 1
    for n, person in enumerate(_people(street, rnd)[:RESIDENT]):
        with at(now - dt.timedelta(minutes=rnd.randint(10, 24 * 60))):
            tickets.do_open_resident_ticket(
                token=resident_token(person), category="code",
                subject=SUBJECTS["code"][n % 3], description="通过健康码页面留言",
                client_key=f"demo-resident-{n:04d}")
        count += 1
    return count


def _street_work(street_actor: Actor, street: AdminUnit, rnd: random.Random,
                 now: dt.datetime) -> None:
    """The street responds to most of its tickets older than two hours, a quarter late."""
    waiting = Ticket.objects.filter(street=street, status=TicketStatus.NEW,
                                    created_at__lt=now - dt.timedelta(hours=2)).order_by("id")
    for ticket in list(waiting):
        if rnd.random() > RESPONDED_SHARE:
            continue
        late = rnd.random() < 0.25
        delay = (ticket.respond_by - ticket.created_at) * (1.5 if late else 0.5)
        with at(ticket.created_at + delay):
            tickets.do_respond(actor=street_actor, ticket_id=ticket.pk,
                               note="已联系来电人，网格员正在处理")


def seed_tickets(*, seed: int = 2022) -> dict[str, int]:
    """Fill the demo city's hotline (once); the counts of what the story holds."""
    agent, street_actor = _login("hotline1"), _login("street1")
    if agent is None:
        return {"tickets": Ticket.objects.count()}
    if not Ticket.objects.filter(channel=Channel.PHONE).exists():
        rnd, now = random.Random(seed), clock.now()
        street = street_actor.unit if street_actor else None
        made = _calls(agent, street, rnd, now)
        _public(street, rnd, now)
        if street_actor is not None and street is not None:
            _street_work(street_actor, street, rnd, now)
            unrouted = next((t for t in made if not t.routed), None)
            if unrouted is not None:
                with at(unrouted.created_at + dt.timedelta(minutes=25)):
                    tickets.do_route_ticket(actor=agent, ticket_id=unrouted.pk,
                                            street_id=street.pk)
    return {"tickets": Ticket.objects.count(),
            "unrouted": Ticket.objects.filter(routed=False).count(),
            "responded": Ticket.objects.exclude(first_response_at=None).count(),
            "supply_requests": Ticket.objects.exclude(supply_request=None).count(),
            "buildings": Building.objects.filter(pk__in=Ticket.objects.values(
                "building_id")).count()}
