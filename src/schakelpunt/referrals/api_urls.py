"""/api/v1/referrals/{id}/<step>: a care provider's system handles its referrals
(api_provider.py). Reading them stays with the router in api/urls.py (api.py)."""

from django.urls import URLPattern, URLResolver, path

from . import api_provider as views

urlpatterns: list[URLPattern | URLResolver] = [
    path(
        "referrals/<int:id>/receive", views.ReferralReceiveView.as_view(), name="referral-receive"
    ),
    path("referrals/<int:id>/accept", views.ReferralAcceptView.as_view(), name="referral-accept"),
    path(
        "referrals/<int:id>/decline", views.ReferralDeclineView.as_view(), name="referral-decline"
    ),
    path(
        "referrals/<int:id>/first-contact",
        views.ReferralFirstContactView.as_view(),
        name="referral-first-contact",
    ),
    path(
        "referrals/<int:id>/help-started",
        views.ReferralHelpStartedView.as_view(),
        name="referral-help-started",
    ),
    path("referrals/<int:id>/end", views.ReferralEndView.as_view(), name="referral-end"),
    path("referrals/<int:id>/advice", views.ReferralAdviceView.as_view(), name="referral-advice"),
]
