from cases import urls_incidents, urls_people

urlpatterns = [*urls_people.urlpatterns, *urls_incidents.urlpatterns]
