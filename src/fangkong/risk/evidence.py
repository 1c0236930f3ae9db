"""The facts the lifting rules read, gathered from the tables: an area's last new case, its
last whole-area negative screening round, and whether its district still has a sealed or
controlled area. Days are the city's local dates."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import Max, Q, QuerySet
from django.utils import timezone

from fangkong.registry.models import Person
from fangkong.risk.logic import RiskRules
from fangkong.risk.models import AreaStatus, RiskArea, RiskLevel
from fangkong.risk.queries import area_members
from fangkong.testing.models import Exemption, Sample, TubeResult
from fangkong.tracing.models import Case, FoundIn


@dataclass(frozen=True)
class AreaFacts:
    last_case_day: dt.date | None
    last_negative_round_day: dt.date | None
    district_has_higher: bool


def local_day(moment: dt.datetime) -> dt.date:
    return timezone.localtime(moment).date()


def area_cases(area: RiskArea, *, isolated_case_resets: bool) -> Q:
    """Cases that count for the area: linked to it, or of a member. Under a version where a
    case found in quarantine does not reset the count, those are left out."""
    members = area_members(area).values("pk")
    found = Q(risk_areas=area) | Q(person_id__in=members)
    if not isolated_case_resets:
        found &= ~Q(found_in=FoundIn.QUARANTINE)
    return found


def last_case_day(area: RiskArea, *, isolated_case_resets: bool) -> dt.date | None:
    """The local day of the latest positive result of a case that counts for the area."""
    latest = (Case.objects.filter(area_cases(area, isolated_case_resets=isolated_case_resets))
              .aggregate(at=Max("result_at"))["at"])
    return local_day(latest) if latest is not None else None


def round_day_if_clean(campaign_id: int, members: QuerySet[Person],
                       member_ids: set[int]) -> dt.date | None:
    """The last sampling day of one round if every member has a negative latest sample or an
    exemption in it, with no positive; otherwise None. A member's latest sample decides, so
    a positive pool cleared by a negative single-tube retest counts as negative."""
    latest: dict[int, tuple[dt.datetime, str]] = {}
    rows = (Sample.objects.filter(campaign_id=campaign_id, person_id__in=members.values("pk"))
            .values_list("person_id", "sampled_at", "tube__result").order_by("sampled_at", "pk"))
    for person_id, sampled_at, result in rows:
        latest[person_id] = (sampled_at, result)
    if any(result == TubeResult.POSITIVE for _, result in latest.values()):
        return None
    negative = {pid for pid, (_, result) in latest.items() if result == TubeResult.NEGATIVE}
    exempt = set(Exemption.objects.filter(campaign_id=campaign_id,
                                          person_id__in=members.values("pk"))
                 .values_list("person_id", flat=True))
    if not member_ids <= negative | exempt or not negative:
        return None
    return local_day(max(at for pid, (at, _) in latest.items() if pid in negative))


def last_negative_round_day(area: RiskArea, *, since: dt.date) -> dt.date | None:
    """The latest day of a round, sampled on or after ``since``, that covered every member
    with a negative sample or an exemption."""
    members = area_members(area)
    member_ids = set(members.values_list("pk", flat=True))
    if not member_ids:
        return None
    start = timezone.make_aware(dt.datetime.combine(since, dt.time.min))
    campaigns = (Sample.objects.filter(person_id__in=members.values("pk"), sampled_at__gte=start)
                 .values_list("campaign_id", flat=True).distinct())
    days = [day for cid in set(campaigns)
            if (day := round_day_if_clean(cid, members, member_ids)) is not None]
    return max(days, default=None)


def district_has_higher(area: RiskArea) -> bool:
    """Whether the area's district still has an active sealed or controlled area."""
    return (RiskArea.objects.filter(status=AreaStatus.ACTIVE, district_id=area.district_id,
                                    level__in=[RiskLevel.SEALED, RiskLevel.CONTROLLED])
            .exclude(pk=area.pk).exists())


def area_facts(area: RiskArea, *, rules: RiskRules) -> AreaFacts:
    """Everything ``logic.next_step`` needs to know about the area, as of now."""
    return AreaFacts(
        last_case_day=last_case_day(area, isolated_case_resets=rules.isolated_case_resets),
        last_negative_round_day=last_negative_round_day(area, since=local_day(area.level_since)),
        district_has_higher=district_has_higher(area),
    )
