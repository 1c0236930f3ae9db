from django.apps import AppConfig


class SimulationConfig(AppConfig):
    name = "fangkong.simulation"
    label = "simulation"
    verbose_name = "Strategy simulation"
