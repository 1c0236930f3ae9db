from django.apps import AppConfig


class HotlineConfig(AppConfig):
    name = "fangkong.hotline"
    label = "hotline"
    verbose_name = "Hotline"
