"""Screening API: the labs register (list, register, edit). Thin handlers over ``labs``."""

from django.http import HttpRequest
from ninja import Router, Schema, Status

from fangkong.api import request_actor, requires
from fangkong.core.rights import Right
from fangkong.testing import labs
from fangkong.testing.models import Lab

router = Router()


class LabRead(Schema):
    id: int
    code: str
    name: str
    tubes_per_hour: int
    district_id: int | None
    unit_id: int | None  # the deepest node the lab is placed at

    @staticmethod
    def of(lab: Lab) -> "LabRead":
        unit = lab.grid_id or lab.community_id or lab.street_id or lab.district_id
        return LabRead(id=lab.pk, code=lab.code, name=lab.name,
                       tubes_per_hour=lab.tubes_per_hour, district_id=lab.district_id,
                       unit_id=unit)


class LabCreate(Schema):
    code: str
    name: str
    tubes_per_hour: int
    unit_id: int


class LabChange(Schema):
    name: str | None = None
    tubes_per_hour: int | None = None
    unit_id: int | None = None


@router.get("/labs", response=list[LabRead])
@requires(Right.SCREENING_VIEW)
def list_labs(request: HttpRequest) -> list[LabRead]:
    """The labs in the caller's subtree, by code."""
    return [LabRead.of(lab) for lab in labs.labs_in_scope(request_actor(request))]


@router.post("/labs", response={201: LabRead})
@requires(Right.SCREENING_MANAGE)
def register_lab(request: HttpRequest, body: LabCreate) -> Status[LabRead]:
    lab = labs.do_register_lab(actor=request_actor(request), **body.dict())
    return Status(201, LabRead.of(lab))


@router.patch("/labs/{lab_id}", response=LabRead)
@requires(Right.SCREENING_MANAGE)
def edit_lab(request: HttpRequest, lab_id: int, body: LabChange) -> LabRead:
    return LabRead.of(labs.do_edit_lab(actor=request_actor(request), lab_id=lab_id,
                                       **body.dict()))
