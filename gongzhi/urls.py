from allauth.account.decorators import secure_admin_login
from django.contrib import admin
from django.templatetags.static import static
from django.urls import URLPattern, URLResolver, include, path, re_path
from django.utils.functional import lazy
from django.views.generic import RedirectView

from gongzhi.accounts import views as account_views
from gongzhi.api import api
from gongzhi.api import not_found as api_not_found
from gongzhi.bodies.partner_views import street_partners
from gongzhi.core import checkin_views
from gongzhi.core import views as core_views
from gongzhi.notifications import views as notification_views

community_patterns: list[URLPattern | URLResolver] = [
    path("", core_views.community_home, name="community_home"),
    path("join/", core_views.community_join, name="community_join"),
    path("verify/", core_views.verify_with_code, name="verify_with_code"),
    path("me/", core_views.my_participation, name="my_participation"),
    path("staff/members/", core_views.member_list, name="member_list"),
    path("staff/members/<int:membership_id>/", core_views.member_detail, name="member_detail"),
    path("staff/roster/", core_views.roster_upload, name="roster_upload"),
    path("staff/register/", core_views.register_on_behalf, name="register_on_behalf"),
    path("staff/letters/", core_views.household_codes, name="household_codes"),
    path("staff/journal/", core_views.audit_trail, name="audit_trail"),
    path("staff/deliveries/", notification_views.delivery_list, name="community_deliveries"),
    path("proposals/", include("gongzhi.deliberation.urls")),
    path("votes/", include("gongzhi.voting.urls")),
    path("conversations/", include("gongzhi.opinions.urls")),
    path("budgets/", include("gongzhi.budgeting.urls")),
    path("hotline/", include("gongzhi.feedback.urls")),
    path("notices/", include("gongzhi.disclosure.urls")),
    path("evaluation/", include("gongzhi.evaluation.urls")),
    path("surveys/", include("gongzhi.surveys.urls")),
    path("bodies/", include("gongzhi.bodies.urls")),
    path("meetings/", include("gongzhi.meetings.urls")),
    path("decisions/", include("gongzhi.meetings.register_urls")),
    path("volunteering/", include("gongzhi.volunteering.urls")),
    path("learning/", include("gongzhi.learning.urls")),
    path("covenants/", include("gongzhi.covenants.urls")),
    path("mediation/", include("gongzhi.mediation.urls")),
    path("spaces/", include("gongzhi.spaces.urls")),
]

# The admin's own login would skip two-factor and allauth's rate limits: send it through allauth.
# Rebinding a method on the site instance is allauth's documented way; mypy refuses any
# assignment to a method, so this one line says it is meant.
admin.site.login = secure_admin_login(admin.site.login)  # type: ignore[method-assign]

urlpatterns = [
    path("", core_views.home, name="home"),
    path("healthz", core_views.healthz, name="healthz"),
    # Browsers ask for /favicon.ico whatever a page links: send them to the static file (its
    # hashed name is known only once the static manifest is read, hence lazy).
    path("favicon.ico", RedirectView.as_view(url=lazy(static, str)("gongzhi/favicon.ico"))),
    path("c/<slug:slug>/", include(community_patterns)),
    path("overview/", core_views.overview, name="overview"),
    path("streets/<int:street_id>/partners/", street_partners, name="street_partners"),
    path("checkin/<str:label>/<int:pk>/", checkin_views.checkin_screen, name="checkin_screen"),
    path(
        "checkin/<str:label>/<int:pk>/<str:code>/",
        checkin_views.checkin_scan,
        name="checkin_scan",
    ),
    path("calendar/", include("gongzhi.meetings.calendar_urls")),
    path("inbox/", notification_views.inbox, name="inbox"),
    path("inbox/read/", notification_views.mark_all_read, name="inbox_mark_read"),
    path("staff/deliveries/", notification_views.delivery_list, name="delivery_list"),
    path(
        "staff/deliveries/<int:delivery_id>/retry/",
        notification_views.delivery_retry,
        name="delivery_retry",
    ),
    path("profile/", account_views.profile, name="profile"),
    path(
        "profile/notifications/",
        notification_views.notification_settings,
        name="notification_settings",
    ),
    path("profile/tokens/", account_views.api_tokens, name="api_tokens"),
    path("profile/", include("gongzhi.accounts.urls")),
    path("i18n/setlang/", account_views.set_language, name="set_language"),
    path("prefs/age-friendly/", account_views.toggle_age_friendly, name="toggle_age_friendly"),
    path("accounts/", include("allauth.urls")),
    path("admin/", admin.site.urls),
    path("api/v1/", api.urls),
    path("open311/v2/", include("gongzhi.feedback.open311")),
    re_path(r"^api/v1/(?P<rest>.*)$", api_not_found),
]
