from django.apps import AppConfig


class VaccinationConfig(AppConfig):
    name = "fangkong.vaccination"
    label = "vaccination"
    verbose_name = "Vaccination"
