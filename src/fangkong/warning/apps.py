from django.apps import AppConfig


class WarningConfig(AppConfig):
    name = "fangkong.warning"
    label = "warning"
    verbose_name = "Early warning"
