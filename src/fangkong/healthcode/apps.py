from django.apps import AppConfig


class HealthcodeConfig(AppConfig):
    name = "fangkong.healthcode"
    label = "healthcode"
    verbose_name = "Health code"

    def ready(self) -> None:
        """Saved facts (cases, contacts, orders, holds, tests, areas…) recompute codes; the
        manual-change approval kind is registered in every process (web, worker, command)."""
        from fangkong.healthcode import changes, signals

        signals.connect()
        assert changes.KIND
