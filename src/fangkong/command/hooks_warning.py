"""The command centre's answer to an early-warning anomaly: a task for the anomaly's street,
from a directive issued by the system at the street's district HQ (the ``tracing`` group:
finding out why the count rose is epidemiological work). ``warning`` never imports
``command``; this module listens to its saves instead.

The directive is issued inside the transaction that writes the anomaly, so either both are
stored or neither; the anomaly is written once (unique street, stream and day), so its task
is raised once."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.conf import settings
from django.db.models.signals import post_save
from django.utils import translation
from django.utils.translation import gettext as _

from fangkong.command.directives import DirectiveInput, do_issue_directive
from fangkong.command.models import Directive, Group
from fangkong.core import clock
from fangkong.core.jurisdiction import Actor
from fangkong.core.rights import Right
from fangkong.warning.models import Anomaly, Stream
from fangkong.warning.policy import warning_rules

SYSTEM_NAME = "system:warning"


def system_actor(district: Any) -> Actor:
    """The system, acting for the district's HQ (it may issue directives there only)."""
    return Actor(user_id=None, username=SYSTEM_NAME, unit=district,
                 rights=frozenset({Right.COMMAND_DIRECT}))


def raise_task(anomaly: Anomaly) -> Directive | None:
    """Issue the directive for ``anomaly`` (None when it is placed at no street)."""
    street, district = anomaly.street, anomaly.district
    if street is None or district is None:
        return None
    hours = warning_rules(on=anomaly.day).follow_up_hours
    with translation.override(settings.LANGUAGE_CODE):  # the city's, whoever runs the scan
        title = _("Early warning: %(stream)s rose in %(street)s on %(day)s") % {
            "stream": Stream(anomaly.stream).label, "street": street.name,
            "day": anomaly.day.isoformat()}
        body = _("Observed %(obs)d against %(exp).1f expected (%(method)s, policy "
                 "%(policy)s). Find out why, and report what was done. Anomaly %(id)d.") % {
            "obs": anomaly.observed, "exp": anomaly.expected, "method": anomaly.method,
            "policy": anomaly.policy_name, "id": anomaly.pk}
    data = DirectiveInput(title=title[:160], body=body, group=Group.TRACING,
                          deadline=clock.now() + dt.timedelta(hours=max(hours, 1)),
                          unit_ids=(street.pk,))
    return do_issue_directive(actor=system_actor(district), data=data)


def _anomaly_saved(sender: type[Anomaly], instance: Anomaly, created: bool,
                   **kwargs: Any) -> None:
    if created and not kwargs.get("raw"):
        raise_task(instance)


def connect() -> None:
    """Called from the command app's ``ready()``."""
    post_save.connect(_anomaly_saved, sender=Anomaly, dispatch_uid="command.warning.anomaly")
