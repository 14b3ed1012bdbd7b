from django.apps import AppConfig


class ReviewsConfig(AppConfig):
    name = "consortia.reviews"
    label = "reviews"
    verbose_name = "Joint reviews"
