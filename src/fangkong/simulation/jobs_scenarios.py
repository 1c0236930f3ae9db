"""Jobs of the simulator (huey; ``tasks`` imports them so huey finds them): one scenario's
runs. The demo's in-process worker runs them; tests run them inline."""

from __future__ import annotations

import logging

from huey.contrib.djhuey import db_task

from fangkong.simulation import runner

log = logging.getLogger(__name__)


@db_task()
def run_scenario(scenario_id: int) -> None:
    scenario = runner.do_execute_scenario(scenario_id=scenario_id)
    if scenario is not None:
        log.info("scenario %s: %s", scenario_id, scenario.status)
