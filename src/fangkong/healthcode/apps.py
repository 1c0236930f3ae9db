from django.apps import AppConfig


class HealthcodeConfig(AppConfig):
    name = "fangkong.healthcode"
    label = "healthcode"
    verbose_name = "Health code"

    def ready(self) -> None:
        """Saved facts (cases, contacts, orders, holds, tests, areas…) recompute codes."""
        from fangkong.healthcode import signals

        signals.connect()
