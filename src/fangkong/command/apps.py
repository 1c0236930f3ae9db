from django.apps import AppConfig


class CommandConfig(AppConfig):
    name = "fangkong.command"
    label = "command"
    verbose_name = "Command centre"
