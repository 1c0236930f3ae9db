"""Quarantine API: facilities, rooms, duty roster, room assignment and transport batches.
Thin handlers over ``facilities``, ``assignment`` and ``transport``."""

import datetime as dt

from django.http import HttpRequest
from ninja import Router, Schema, Status

from fangkong.api import request_actor, requires
from fangkong.core.rights import Right
from fangkong.quarantine import assignment, facilities, transport
from fangkong.quarantine.logic_rooms import Plan
from fangkong.quarantine.models import DutyShift, Facility, Room, TransportBatch

router = Router()


class FacilityRead(Schema):
    id: int
    code: str
    name: str
    status: str
    address: str
    lat: float | None
    lon: float | None
    phone: str
    district_id: int | None
    rooms: int
    ready: int
    occupied: int
    disinfecting: int
    out: int
    beds_ready: int
    people_in: int
    people_expected: int

    @staticmethod
    def of(f: Facility, c: facilities.Occupancy) -> "FacilityRead":
        return FacilityRead(
            id=f.pk, code=f.code, name=f.name, status=f.status, address=f.address, lat=f.lat,
            lon=f.lon, phone=f.phone, district_id=f.district_id, rooms=c.rooms, ready=c.ready,
            occupied=c.occupied, disinfecting=c.disinfecting, out=c.out,
            beds_ready=c.beds_ready, people_in=c.people_in, people_expected=c.people_expected)


class FacilityCreate(Schema):
    code: str
    name: str
    unit_id: int
    address: str = ""
    lat: float | None = None
    lon: float | None = None
    phone: str = ""


class FacilityStatusChange(Schema):
    status: str


class RoomRead(Schema):
    id: int
    facility_id: int
    number: str
    floor: int
    capacity: int
    accessible: bool
    state: str

    @staticmethod
    def of(r: Room) -> "RoomRead":
        return RoomRead(id=r.pk, facility_id=r.facility_id, number=r.number, floor=r.floor,
                        capacity=r.capacity, accessible=r.accessible, state=r.state)


class RoomsCreate(Schema):
    floors: int
    rooms_per_floor: int
    capacity: int = 1
    accessible: bool = False
    first_floor: int = 1


class RoomStateChange(Schema):
    state: str


class ShiftRead(Schema):
    id: int
    name: str
    role: str
    starts_at: dt.datetime
    ends_at: dt.datetime
    user_id: int | None

    @staticmethod
    def of(s: DutyShift) -> "ShiftRead":
        return ShiftRead(id=s.pk, name=s.name, role=s.role, starts_at=s.starts_at,
                         ends_at=s.ends_at, user_id=s.user_id)


class ShiftCreate(Schema):
    name: str
    role: str
    starts_at: dt.datetime
    ends_at: dt.datetime
    user_id: int | None = None


class AssignmentAsk(Schema):
    order_ids: list[int] | None = None
    facility_ids: list[int] | None = None
    include_standby: bool = False


class PlacementRead(Schema):
    order_ids: list[int]
    kind: str
    room_id: int
    facility_id: int


class UnplacedRead(Schema):
    order_ids: list[int]
    kind: str
    reason: str


class PlacementPlanRead(Schema):
    placements: list[PlacementRead]
    unplaced: list[UnplacedRead]
    people_placed: int
    people_unplaced: int
    activated: list[int] = []

    @staticmethod
    def of(plan: Plan, activated: list[int] | None = None) -> "PlacementPlanRead":
        return PlacementPlanRead(
            placements=[PlacementRead(order_ids=list(p.group.keys), kind=p.group.kind,
                                      room_id=p.room.key, facility_id=p.room.facility)
                        for p in plan.placements],
            unplaced=[UnplacedRead(order_ids=list(u.group.keys), kind=u.group.kind,
                                   reason=u.reason) for u in plan.unplaced],
            people_placed=plan.people_placed, people_unplaced=plan.people_unplaced,
            activated=activated or [])


class TransportBatchRead(Schema):
    id: int
    code: str
    facility_id: int
    vehicle: str
    status: str
    depart_at: dt.datetime
    arrived_at: dt.datetime | None
    order_ids: list[int]

    @staticmethod
    def of(b: TransportBatch) -> "TransportBatchRead":
        return TransportBatchRead(id=b.pk, code=b.code, facility_id=b.facility_id,
                                  vehicle=b.vehicle, status=b.status, depart_at=b.depart_at,
                                  arrived_at=b.arrived_at,
                                  order_ids=sorted(b.orders.values_list("pk", flat=True)))


class BatchCreate(Schema):
    facility_id: int
    order_ids: list[int]
    vehicle: str = ""
    depart_at: dt.datetime | None = None


class BatchMove(Schema):
    at: dt.datetime | None = None


@router.get("/facilities", response=list[FacilityRead])
@requires(Right.QUARANTINE_VIEW)
def list_facilities(request: HttpRequest) -> list[FacilityRead]:
    """The facilities in the caller's subtree with their rooms by state and people in."""
    qs = facilities.facilities_for(request_actor(request))
    counts = facilities.occupancy(qs)
    return [FacilityRead.of(f, counts[f.pk]) for f in qs]


@router.post("/facilities", response={201: FacilityRead})
@requires(Right.QUARANTINE_MANAGE)
def register_facility(request: HttpRequest, body: FacilityCreate) -> Status[FacilityRead]:
    f = facilities.do_register_facility(actor=request_actor(request), **body.dict())
    return Status(201, FacilityRead.of(f, facilities.Occupancy()))


@router.get("/facilities/{facility_id}", response=FacilityRead)
@requires(Right.QUARANTINE_VIEW)
def get_facility(request: HttpRequest, facility_id: int) -> FacilityRead:
    f = facilities.get_facility(request_actor(request), facility_id)
    return FacilityRead.of(f, facilities.occupancy(Facility.objects.filter(pk=f.pk))[f.pk])


@router.post("/facilities/{facility_id}/status", response=FacilityRead)
@requires(Right.QUARANTINE_MANAGE)
def set_facility_status(request: HttpRequest, facility_id: int,
                        body: FacilityStatusChange) -> FacilityRead:
    f = facilities.do_set_facility_status(actor=request_actor(request),
                                          facility_id=facility_id, status=body.status)
    return FacilityRead.of(f, facilities.occupancy(Facility.objects.filter(pk=f.pk))[f.pk])


@router.get("/facilities/{facility_id}/rooms", response=list[RoomRead])
@requires(Right.QUARANTINE_VIEW)
def list_rooms(request: HttpRequest, facility_id: int) -> list[RoomRead]:
    f = facilities.get_facility(request_actor(request), facility_id)
    return [RoomRead.of(r) for r in f.rooms.all()]


@router.post("/facilities/{facility_id}/rooms", response={201: list[RoomRead]})
@requires(Right.QUARANTINE_MANAGE)
def add_rooms(request: HttpRequest, facility_id: int,
              body: RoomsCreate) -> Status[list[RoomRead]]:
    rooms = facilities.do_add_rooms(actor=request_actor(request), facility_id=facility_id,
                                    **body.dict())
    return Status(201, [RoomRead.of(r) for r in rooms])


@router.post("/rooms/{room_id}/state", response=RoomRead)
@requires(Right.QUARANTINE_MANAGE)
def set_room_state(request: HttpRequest, room_id: int, body: RoomStateChange) -> RoomRead:
    return RoomRead.of(facilities.do_set_room_state(actor=request_actor(request),
                                                    room_id=room_id, state=body.state))


@router.get("/facilities/{facility_id}/shifts", response=list[ShiftRead])
@requires(Right.QUARANTINE_VIEW)
def list_shifts(request: HttpRequest, facility_id: int) -> list[ShiftRead]:
    f = facilities.get_facility(request_actor(request), facility_id)
    return [ShiftRead.of(s) for s in facilities.shifts_of(f)]


@router.post("/facilities/{facility_id}/shifts", response={201: ShiftRead})
@requires(Right.QUARANTINE_MANAGE)
def add_shift(request: HttpRequest, facility_id: int, body: ShiftCreate) -> Status[ShiftRead]:
    shift = facilities.do_add_shift(actor=request_actor(request), facility_id=facility_id,
                                    **body.dict())
    return Status(201, ShiftRead.of(shift))


@router.post("/assignment/preview", response=PlacementPlanRead)
@requires(Right.QUARANTINE_VIEW)
def preview_assignment(request: HttpRequest, body: AssignmentAsk) -> PlacementPlanRead:
    """The plan an apply would make now; nothing is written."""
    plan = assignment.preview_assignment(actor=request_actor(request), **body.dict())
    return PlacementPlanRead.of(plan)


@router.post("/assignment/apply", response=PlacementPlanRead)
@requires(Right.QUARANTINE_MANAGE)
def apply_assignment(request: HttpRequest, body: AssignmentAsk) -> PlacementPlanRead:
    """Assign rooms; resending assigns nothing twice (placed orders no longer await)."""
    result = assignment.do_assign_orders(actor=request_actor(request), **body.dict())
    return PlacementPlanRead.of(result.plan, result.activated)


@router.get("/batches", response=list[TransportBatchRead])
@requires(Right.QUARANTINE_VIEW)
def list_batches(request: HttpRequest) -> list[TransportBatchRead]:
    qs = transport.batches_for(request_actor(request)).prefetch_related("orders")[:200]
    return [TransportBatchRead(id=b.pk, code=b.code, facility_id=b.facility_id, vehicle=b.vehicle,
                               status=b.status, depart_at=b.depart_at, arrived_at=b.arrived_at,
                               order_ids=sorted(o.pk for o in b.orders.all())) for b in qs]


@router.post("/batches", response={201: TransportBatchRead})
@requires(Right.QUARANTINE_MANAGE)
def create_batch(request: HttpRequest, body: BatchCreate) -> Status[TransportBatchRead]:
    batch = transport.do_create_batch(actor=request_actor(request), **body.dict())
    return Status(201, TransportBatchRead.of(batch))


@router.get("/batches/{batch_id}", response=TransportBatchRead)
@requires(Right.QUARANTINE_VIEW)
def get_batch(request: HttpRequest, batch_id: int) -> TransportBatchRead:
    return TransportBatchRead.of(transport.get_batch(request_actor(request), batch_id))


@router.post("/batches/{batch_id}/depart", response=TransportBatchRead)
@requires(Right.QUARANTINE_MANAGE)
def depart_batch(request: HttpRequest, batch_id: int, body: BatchMove) -> TransportBatchRead:
    return TransportBatchRead.of(transport.do_depart_batch(actor=request_actor(request),
                                                           batch_id=batch_id, at=body.at))


@router.post("/batches/{batch_id}/arrive", response=TransportBatchRead)
@requires(Right.QUARANTINE_MANAGE)
def arrive_batch(request: HttpRequest, batch_id: int, body: BatchMove) -> TransportBatchRead:
    """Every order on the batch starts its stay in the facility (resending changes nothing)."""
    return TransportBatchRead.of(transport.do_arrive_batch(actor=request_actor(request),
                                                           batch_id=batch_id, at=body.at))
