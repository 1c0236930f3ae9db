from django.apps import AppConfig


class CommandConfig(AppConfig):
    name = "fangkong.command"
    label = "command"
    verbose_name = "Command centre"

    def ready(self) -> None:
        """Saved rows of the tables the dashboard counts mark their figures stale."""
        from fangkong.command import hooks_warning, signals

        signals.connect()
        hooks_warning.connect()
