"""Screening API, sampling at the table: upload a batch (idempotent on its client key), the
live lookup of an ID number, and a site's tube list for the device's offline checks."""

import datetime as dt

from django.http import HttpRequest
from ninja import Field, Router, Schema

from fangkong.api import request_actor, requires
from fangkong.core.rights import Right
from fangkong.testing import actions_sampling, ingest
from fangkong.testing.actions_sampling import Batch, Event

router = Router()


class EventIn(Schema):
    type: str = Field(description="open | scan | seal")
    tube: str = Field(max_length=32)
    at: dt.datetime = Field(description="the device's time, ISO 8601 with offset")
    id_number: str = Field("", max_length=32)
    name: str = Field("", max_length=64, description="a visitor's name, typed at the table")
    phone: str = Field("", max_length=20)
    channel: str = Field("", description="site | green | door; empty: from the site")


class SamplingBatchIn(Schema):
    client_key: str = Field(max_length=64, description="made on the device, once per batch")
    campaign: int
    site: int
    device: str = Field("", max_length=64)
    events: list[EventIn]


class ItemOut(Schema):
    i: int
    type: str
    tube: str
    code: str
    message: str
    person: str = ""
    id: str = ""
    capacity: int | None = None


class SamplingBatchOut(Schema):
    client_key: str
    accepted: int
    rejected: int
    resent: bool
    items: list[ItemOut]


class LookupOut(Schema):
    id_number: str
    valid: bool
    known: bool
    name: str
    temporary: bool
    already_sampled: bool
    on_hold: bool
    single_tube: bool
    reason: str


class TubeOut(Schema):
    code: str
    capacity: int
    kind: str
    status: str
    members: int


class SiteTubesOut(Schema):
    site: int
    campaign: int
    tubes: list[TubeOut]


@router.post("/sampling/batches", response=SamplingBatchOut, url_name="screening_sampling_batches")
@requires(Right.SCREENING_SAMPLE)
def upload_batch(request: HttpRequest, body: SamplingBatchIn) -> dict[str, object]:
    """Store a batch once; a resend (same client key) answers from the stored batch with
    ``resent`` true and stores nothing. Each event gets its own answer code and message."""
    batch = Batch(client_key=body.client_key, campaign_id=body.campaign, site_id=body.site,
                  device=body.device,
                  events=[Event(**e.dict()) for e in body.events])
    return ingest.store_batch(actor=request_actor(request), batch=batch)


@router.get("/sampling/lookup", response=LookupOut, url_name="screening_sampling_lookup")
@requires(Right.SCREENING_SAMPLE)
def lookup(request: HttpRequest, site: int, id_number: str) -> actions_sampling.Lookup:
    """Who stands at the table (masked), and whether they may be swabbed into a pool."""
    return actions_sampling.lookup_person(actor=request_actor(request), site_id=site,
                                          id_number=id_number)


@router.get("/sampling/sites/{site_id}/tubes", response=SiteTubesOut,
            url_name="screening_sampling_tubes")
@requires(Right.SCREENING_SAMPLE)
def site_tubes(request: HttpRequest, site_id: int) -> dict[str, object]:
    site, tubes = actions_sampling.site_tubes(actor=request_actor(request), site_id=site_id)
    return {"site": site.pk, "campaign": site.campaign_id, "tubes": tubes}
