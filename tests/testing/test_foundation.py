"""The round builder and campaign scoping: a district officer sees a round that covers
their district (or an ancestor of it) and nothing of a round elsewhere."""

from fangkong.core.jurisdiction import actor_for
from fangkong.core.models import AdminUnit
from fangkong.testing.models import Campaign, CampaignArea
from fangkong.testing.queries import campaigns_for
from tests.factories import City, make_user
from tests.testing.builders import Round


def test_round_is_visible_in_both_districts(rnd: Round) -> None:
    for name in ("organiser1", "organiser2", "grid1", "admin"):
        assert list(campaigns_for(actor_for(rnd.users[name]))) == [rnd.campaign]


def test_round_of_one_district_is_invisible_to_the_other(rnd: Round, city: City) -> None:
    CampaignArea.objects.filter(campaign=rnd.campaign, unit=city.districts[1].unit).delete()
    assert list(campaigns_for(actor_for(rnd.users["organiser1"]))) == [rnd.campaign]
    assert list(campaigns_for(actor_for(rnd.users["organiser2"]))) == []


def test_city_wide_round_reaches_every_grid_worker(rnd: Round, city: City) -> None:
    CampaignArea.objects.filter(campaign=rnd.campaign).delete()
    area = CampaignArea(campaign=rnd.campaign, unit=city.unit)
    area.save()
    nobody = make_user("nobody", unit=None, roles=["district_officer"])
    assert list(campaigns_for(actor_for(rnd.users["grid1"]))) == [rnd.campaign]
    assert list(campaigns_for(actor_for(nobody))) == []
    assert Campaign.objects.count() == 1 and AdminUnit.objects.filter(level=0).count() == 1
