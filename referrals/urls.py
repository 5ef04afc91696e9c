from referrals import views_partners, views_triage

urlpatterns = [*views_triage.urlpatterns, *views_partners.urlpatterns]
