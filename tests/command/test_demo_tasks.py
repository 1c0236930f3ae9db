"""The directives part of the demo on the test city: every task state appears, overdue
tasks are escalated, and a second run changes nothing."""

from django.db.models import Count

from fangkong.command.demo_tasks import seed_tasks
from fangkong.command.models import Evidence, Task, TaskEvent
from fangkong.core import clock
from fangkong.core.models import Level
from tests.command.builders_tasks import task_cast
from tests.factories import City, add_unit


def test_seed_tells_every_state_once(city: City) -> None:
    task_cast(city)  # the demo logins, and a second street in district 1
    third = add_unit(parent=city.unit, level=Level.DISTRICT, code="610103", name="第3区")
    add_unit(parent=third, level=Level.STREET, code="610103001", name="3街道")
    first = seed_tasks()
    assert first["directives"] == 4 and first["escalated"] >= 2
    statuses = dict(Task.objects.values_list("status").annotate(n=Count("pk")))
    assert set(statuses) == {"issued", "acknowledged", "in_progress", "done"}
    now = clock.now()
    overdue = Task.objects.exclude(status="done").filter(deadline__lte=now)
    assert overdue.filter(escalation_level=2, unit=third).exists()  # the city was told
    assert not overdue.filter(escalation_level=0).exists()
    assert TaskEvent.objects.filter(kind="reopened").count() == 1
    assert Evidence.objects.get().name == "未检人员名单.csv"
    assert all(e.at <= now for e in TaskEvent.objects.all())
    assert seed_tasks() == first
