from django.apps import AppConfig


class ReviewsConfig(AppConfig):
    name = "consortia.reviews"
    label = "reviews"
    verbose_name = "Joint reviews"

    def ready(self):
        from consortia.core.worker import register_job

        from . import services

        register_job("reviews.schedule_upcoming", services.schedule_upcoming_reviews)

        from . import waiting

        waiting.register()  # "Waiting for you": held reviews to sign off
