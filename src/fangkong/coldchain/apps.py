from django.apps import AppConfig


class ColdchainConfig(AppConfig):
    name = "fangkong.coldchain"
    label = "coldchain"
    verbose_name = "Cold-chain traceability"
