from django.apps import AppConfig


class HotlineConfig(AppConfig):
    name = "fangkong.hotline"
    label = "hotline"
    verbose_name = "Hotline"

    def ready(self) -> None:
        """A new health-code appeal opens a hotline ticket after it commits (healthcode does
        not import the hotline, so the hotline listens)."""
        from django.db.models.signals import post_save

        from fangkong.healthcode.models import Appeal
        from fangkong.hotline.appeals import on_appeal_saved

        post_save.connect(on_appeal_saved, sender=Appeal, dispatch_uid="hotline.appeal_ticket")
