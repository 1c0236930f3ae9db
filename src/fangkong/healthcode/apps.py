from django.apps import AppConfig


class HealthcodeConfig(AppConfig):
    name = "fangkong.healthcode"
    label = "healthcode"
    verbose_name = "Health code"
