from django.apps import AppConfig


class RegistryConfig(AppConfig):
    name = "fangkong.registry"
    label = "registry"
    verbose_name = "Population registry"

    def ready(self) -> None:
        from fangkong.registry import corrections, retention  # noqa: F401  (registers hooks)
