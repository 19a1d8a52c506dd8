from django.contrib import admin
from django.urls import include, path

from .api import api

# Every app's routes are namespaced ("app:name"); the paths are the apps' own.
urlpatterns = [
    path("", include("individuate.core.urls")),
    path("", include("individuate.accounts.urls")),
    path("", include("individuate.boundaries.urls")),
    path("", include("individuate.portal.urls")),
    path("", include("individuate.measures.urls")),
    path("", include("individuate.checkins.urls")),
    path("", include("individuate.healing.urls")),
    path("", include("individuate.practice.urls")),
    path("", include("individuate.articles.urls")),
    path("mediation/", include("individuate.mediation.urls")),
    # framework
    path("accounts/", include("allauth.urls")),
    path("api/", api.urls),
    path("admin/", admin.site.urls),
]

handler400 = "individuate.core.views.bad_request"
