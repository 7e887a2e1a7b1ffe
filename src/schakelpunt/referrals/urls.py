from django.urls import path

from . import views

app_name = "referrals"

urlpatterns = [
    path("", views.worklist, name="worklist"),
    path("nieuw/<int:student_id>/", views.referral_new, name="new"),
    path("nieuw/<int:student_id>/beschikking/", views.referral_decision, name="decision"),
    path("<int:referral_id>/", views.referral_detail, name="detail"),
    path("<int:referral_id>/stap/", views.referral_step_view, name="step"),
    path("<int:referral_id>/advies/", views.advice_view, name="advice"),
    path("18/<int:student_id>/", views.transition_view, name="transition"),
    path("toestemming/<int:consent_id>/intrekken/", views.consent_withdraw_view, name="withdraw"),
]
