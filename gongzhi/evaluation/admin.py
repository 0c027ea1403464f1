"""Evaluation in the admin site: read-only. Interventions are recorded through their service
(journalled), rollups are rebuilt by ``refresh_indicators``."""

from django.contrib import admin

from gongzhi.core.admin import ReadOnlyAdmin
from gongzhi.evaluation.models import IndicatorValue, Intervention, Refresh


@admin.register(Intervention)
class InterventionAdmin(ReadOnlyAdmin):
    list_display = ("name", "community", "kind", "started_on", "ended_on")
    list_filter = ("kind",)


@admin.register(IndicatorValue)
class IndicatorValueAdmin(ReadOnlyAdmin):
    list_display = ("key", "community", "month", "group", "value", "suppressed")
    list_filter = ("key",)


@admin.register(Refresh)
class RefreshAdmin(ReadOnlyAdmin):
    list_display = ("community", "refreshed_at", "entries", "seconds")
