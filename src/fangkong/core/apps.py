from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "fangkong.core"
    label = "core"
    verbose_name = "Fangkong core"

    def ready(self) -> None:
        from fangkong.core import checks  # noqa: F401  (registers the deployment checks)
