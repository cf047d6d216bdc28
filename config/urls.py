from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.templatetags.static import static
from django.urls import include, path, re_path
from django.utils.functional import lazy
from django.views.generic import RedirectView
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

from complaints.api.urls import urlpatterns as complaints_api
from complaints.urls import account_urlpatterns as account_pages
from complaints.urls import phone_urlpatterns as phone_pages
from complaints.urls import residents_urlpatterns as residents_pages
from config.health import healthz
from notifications.urls import api_urlpatterns as notifications_api
from reports.urls import api_urlpatterns as reports_api
from staff.forms import AdminSignInForm, SignInForm

lazy_static = lazy(static, str)
admin.site.login_form = AdminSignInForm

# Admin pages of models that moved out of ``complaints`` with their tables: bookmarks and links
# to the old addresses, sub-paths and query strings included, land on the new ones.
MOVED_ADMIN_MODELS = {
    "notification": "notifications",
    "weeklysummarysnapshot": "reports",
    "weeklysummarychange": "reports",
    "weeklyreportdelivery": "reports",
}
moved_admin_urlpatterns = [
    re_path(
        rf"^admin/complaints/{model}/(?P<rest>.*)$",
        RedirectView.as_view(
            url=f"/admin/{app}/{model}/%(rest)s", permanent=True, query_string=True
        ),
    )
    for model, app in MOVED_ADMIN_MODELS.items()
]

urlpatterns = [
    path("", RedirectView.as_view(url="/complaints/", permanent=False)),
    *moved_admin_urlpatterns,
    path("admin/", admin.site.urls),
    path(
        "accounts/login/",
        auth_views.LoginView.as_view(authentication_form=SignInForm),
        name="login",
    ),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("accounts/", include((account_pages, "accounts"))),
    path("i18n/", include("django.conf.urls.i18n")),
    path("", include("complaints.urls")),
    path("", include("notifications.urls")),
    path("residents/", include((residents_pages, "residents"))),
    path("my/", include((phone_pages, "phone"))),
    path("reports/", include("reports.urls")),
    # The residents' pages: by the string, as the portal sits beside config in the layers.
    path("", include("portal.urls")),
    path("api/v1/", include(([*complaints_api, *reports_api, *notifications_api], "api"))),
    path("api/schema/", SpectacularAPIView.as_view(), name="schema"),
    # The split view serves Swagger UI's start-up code as a script file, not inline.
    path("api/docs/", SpectacularSwaggerSplitView.as_view(url_name="schema"), name="api-docs"),
    path("healthz", healthz, name="healthz"),
    # Browsers ask for /favicon.ico whatever the page says; the admin's pages name none.
    path("favicon.ico", RedirectView.as_view(url=lazy_static("favicon.svg"), permanent=False)),
]

handler404 = "config.errors.not_found"
