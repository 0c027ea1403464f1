"""What evaluation stores: the interventions a community started (the treatment data the
before/after comparisons of issue 14 read), the monthly indicator rollups the dashboard reads
(rebuilt from the journal by a task, never edited by hand) and when they were last rebuilt.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from gongzhi.core.tenancy import TenantManager, TenantModel


class InterventionKind(models.TextChoices):
    PROGRAMME = "programme", _("programme")
    TRAINING = "training", _("training")
    BODY = "body", _("new body")
    OTHER = "other", _("other")


class Intervention(TenantModel):
    """Something a community started on a date (a programme, a training, a new body), marked on
    its trend charts: 干预措施."""

    name = models.CharField(_("name"), max_length=120)
    kind = models.CharField(_("kind"), max_length=20, choices=InterventionKind.choices)
    started_on = models.DateField(_("started on"))
    ended_on = models.DateField(_("ended on"), null=True, blank=True)
    description = models.TextField(_("description"), blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField(default=timezone.now)

    objects = TenantManager["Intervention"]()

    class Meta:
        verbose_name = _("intervention")
        verbose_name_plural = _("interventions")
        ordering = ["started_on", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(ended_on__isnull=True) | Q(ended_on__gte=F("started_on")),
                name="intervention_ends_after_start",
            )
        ]
        indexes = [models.Index(fields=["community", "started_on"])]

    def __str__(self) -> str:
        return self.name


class IndicatorValue(TenantModel):
    """One indicator's figure for one month and one group of people: the rollup the dashboard
    reads. ``group`` is "" for everyone, or "grid:<name>", "building:<name>", "elderly:yes" /
    "elderly:no" (everyone else: consented others and those who did not consent), the same for
    "disabled" and "low_income", or "age:<band>". A suppressed cell (fewer people than the
    threshold, or hidden so it cannot be recovered by subtraction) keeps 0 / None in its figures.
    """

    key = models.CharField(max_length=60)
    month = models.DateField()  # the first day of the month
    group = models.CharField(max_length=80, default="", blank=True)
    numerator = models.FloatField()
    denominator = models.FloatField(null=True)
    value = models.FloatField(null=True)
    people = models.IntegerField(null=True)  # people in the cell (people indicators only)
    suppressed = models.BooleanField(default=False)

    objects = TenantManager["IndicatorValue"]()

    class Meta:
        verbose_name = _("indicator value")
        verbose_name_plural = _("indicator values")
        constraints = [
            models.UniqueConstraint(
                fields=["community", "key", "month", "group"], name="indicator_value_unique"
            )
        ]
        indexes = [models.Index(fields=["community", "key", "month"])]

    def __str__(self) -> str:
        return f"{self.key} {self.month:%Y-%m} {self.group}"


class Refresh(TenantModel):
    """When a community's rollups were last rebuilt, from how many entries, in how long."""

    refreshed_at = models.DateTimeField(default=timezone.now)
    entries = models.PositiveBigIntegerField(default=0)
    seconds = models.FloatField(default=0)

    objects = TenantManager["Refresh"]()

    class Meta:
        verbose_name = _("indicator refresh")
        verbose_name_plural = _("indicator refreshes")
        constraints = [
            models.UniqueConstraint(
                fields=["community"], name="indicator_refresh_one_per_community"
            )
        ]

    def __str__(self) -> str:
        return f"{self.community_id} {self.refreshed_at:%Y-%m-%d %H:%M}"
