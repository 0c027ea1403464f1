"""Votes (在线投票): advisory polls (民意调查) and binding votes (表决).

Who took part and what was chosen are stored apart:

- ``Participation`` says that a person voted (and how: online or on paper), with their receipt
  code. It is what makes "one person, one vote" true: unique per vote and voter (and per
  household, when the electorate is households).
- ``CountedBallot`` holds a ballot's content under a ``slot``. For a secret vote the slot is a
  keyed hash of (vote, voter) — the key (VOTE_KEY) is not in the database — so that a voter can
  change their ballot until the vote closes (only the last one counts) while nothing in the
  database, and no page, export or API, links a voter or a receipt to a choice. The row carries
  no time and a random id, so neither order nor timing links it to a participation.
- ``PaperEntry`` is one staff member's reading of a paper ballot; two readings by different
  people that agree make it a ``CountedBallot`` (double entry).
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from gongzhi.core.paper import PaperEntryBase
from gongzhi.core.tenancy import TenantManager, TenantModel


class Kind(models.TextChoices):
    POLL = "poll", _("poll (advisory)")
    BINDING = "binding", _("binding vote")


class Method(models.TextChoices):
    YES_NO = "yes_no", _("yes / no / abstain")
    SINGLE = "single", _("one choice")
    APPROVAL = "approval", _("several choices (approval)")
    RANKED = "ranked", _("ranked choice (instant runoff)")
    SCORE = "score", _("scores")


class Electorate(models.TextChoices):
    VERIFIED = "verified", _("verified residents")
    COUNCIL = "council", _("council members only")
    HOUSEHOLD = "household", _("one vote per household")
    OWNERS = "owners", _("property owners (Civil Code art. 278)")
    #: the verified residents living in one building (``Vote.building``): a building covenant
    BUILDING = "building", _("residents of one building")


class ResultsShown(models.TextChoices):
    AFTER_VOTING = "after_voting", _("to each voter once they have voted")
    AFTER_CLOSE = "after_close", _("only after the vote closes")


class Vote(TenantModel):
    title = models.CharField(_("question"), max_length=200)
    description = models.TextField(_("explanation"), blank=True, max_length=5000)
    kind = models.CharField(max_length=10, choices=Kind.choices, default=Kind.POLL)
    method = models.CharField(max_length=10, choices=Method.choices, default=Method.SINGLE)
    electorate = models.CharField(
        max_length=10, choices=Electorate.choices, default=Electorate.VERIFIED
    )
    secret = models.BooleanField(_("secret ballot"), default=False)
    results_shown = models.CharField(
        max_length=12, choices=ResultsShown.choices, default=ResultsShown.AFTER_CLOSE
    )
    opens_at = models.DateTimeField(_("opens"))
    closes_at = models.DateTimeField(_("closes"))
    # Yes/no: share of the electorate that must take part, and share of yes among yes + no.
    quorum = models.DecimalField(max_digits=5, decimal_places=4, default=0)
    threshold = models.DecimalField(max_digits=5, decimal_places=4, default=0.5)
    threshold_at_least = models.BooleanField(default=False, help_text="≥ instead of >")
    min_choices = models.PositiveSmallIntegerField(default=0)
    max_choices = models.PositiveSmallIntegerField(default=1)
    min_score = models.SmallIntegerField(default=0)
    max_score = models.SmallIntegerField(default=5)
    #: Owners' votes on raising the maintenance fund, rebuilding, or changing common parts'
    #: use need three quarters instead of more than half (art. 278, items 6–8).
    weighty = models.BooleanField(default=False)
    #: the building whose residents vote, for the building electorate
    building = models.ForeignKey(
        "core.Building", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    proposal = models.ForeignKey(
        "deliberation.Proposal",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="votes",
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    published = models.BooleanField(default=False)
    #: When the electorate was told that the vote is open (once; see services.votes_announce).
    announced_at = models.DateTimeField(null=True, blank=True)
    #: A secret vote's key (``VOTE_KEY_ID`` and a fingerprint), bound by its first online
    #: ballot: until the close it takes ballots under that key only (voting/keys.py).
    vote_key_id = models.CharField(max_length=40, blank=True, default="", editable=False)
    vote_key_check = models.CharField(max_length=16, blank=True, default="", editable=False)
    #: How many could vote, counted once the vote has closed: a closed vote's turnout and quorum
    #: must not move when people later join, leave or erase their accounts.
    electorate_at_close = models.PositiveIntegerField(null=True, blank=True, editable=False)

    objects = TenantManager["Vote"]()

    class Meta:
        verbose_name = _("vote")
        verbose_name_plural = _("votes")
        constraints = [
            models.CheckConstraint(
                condition=Q(closes_at__gt=models.F("opens_at")), name="vote_closes_after_opening"
            ),
            models.CheckConstraint(
                condition=Q(quorum__gte=0, quorum__lte=1, threshold__gte=0, threshold__lte=1),
                name="vote_shares_in_range",
            ),
            models.CheckConstraint(
                condition=Q(min_choices__lte=models.F("max_choices")), name="vote_choice_range"
            ),
            models.CheckConstraint(
                condition=Q(min_score__lt=models.F("max_score")), name="vote_score_range"
            ),
            # A binding vote's results are never shown before it closes.
            models.CheckConstraint(
                condition=Q(kind="poll") | Q(results_shown="after_close"),
                name="vote_binding_results_after_close",
            ),
            models.CheckConstraint(
                condition=Q(electorate="building", building__isnull=False)
                | (~Q(electorate="building") & Q(building__isnull=True)),
                name="vote_building_iff_building_electorate",
            ),
            # The law weighs each owner's ballot by their floor area, so it must know whose it is.
            models.CheckConstraint(
                condition=~Q(electorate="owners") | Q(method="yes_no", secret=False),
                name="vote_owner_votes_are_open_yes_no",
            ),
        ]
        indexes = [models.Index(fields=["community", "closes_at"])]

    def __str__(self) -> str:
        return self.title

    def is_open(self, now=None) -> bool:
        now = now or timezone.now()
        return self.published and self.opens_at <= now < self.closes_at

    def is_closed(self, now=None) -> bool:
        return (now or timezone.now()) >= self.closes_at


class Option(TenantModel):
    vote = models.ForeignKey(Vote, on_delete=models.CASCADE, related_name="options")
    label = models.CharField(_("option"), max_length=200)
    position = models.PositiveSmallIntegerField(default=0)

    objects = TenantManager["Option"]()

    class Meta:
        ordering = ["position", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["community", "vote", "label"], name="option_unique_label"
            )
        ]

    def __str__(self) -> str:
        return self.label


class OwnerShare(TenantModel):
    """One owner on an owners' vote's roll, with the exclusive floor area they hold (m²)."""

    vote = models.ForeignKey(Vote, on_delete=models.CASCADE, related_name="owner_shares")
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    area = models.DecimalField(max_digits=10, decimal_places=2)

    objects = TenantManager["OwnerShare"]()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["community", "vote", "owner"], name="ownershare_unique"
            ),
            models.CheckConstraint(condition=Q(area__gt=0), name="ownershare_area_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.owner_id}: {self.area} m²"


class Channel(models.TextChoices):
    ONLINE = "online", _("online")
    PAPER = "paper", _("on paper")


class Participation(TenantModel):
    """That someone voted: never what they chose."""

    vote = models.ForeignKey(Vote, on_delete=models.CASCADE, related_name="participations")
    voter = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    household = models.ForeignKey("core.Household", null=True, blank=True, on_delete=models.PROTECT)
    channel = models.CharField(max_length=6, choices=Channel.choices, default=Channel.ONLINE)
    receipt = models.CharField(max_length=20)
    first_at = models.DateTimeField(default=timezone.now)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    objects = TenantManager["Participation"]()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["community", "vote", "voter"], name="participation_one_per_voter"
            ),
            models.UniqueConstraint(
                fields=["community", "vote", "household"],
                condition=Q(household__isnull=False),
                name="participation_one_per_household",
            ),
            models.UniqueConstraint(
                fields=["community", "vote", "receipt"], name="participation_unique_receipt"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.voter_id} voted in {self.vote_id}"


class CountedBallot(TenantModel):
    """A ballot's content, under a slot that only the server's key ties to a voter."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    vote = models.ForeignKey(Vote, on_delete=models.CASCADE, related_name="ballots")
    slot = models.CharField(max_length=64)
    content = models.JSONField()
    channel = models.CharField(max_length=6, choices=Channel.choices, default=Channel.ONLINE)

    objects = TenantManager["CountedBallot"]()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["community", "vote", "slot"], name="ballot_one_per_slot"
            )
        ]

    def __str__(self) -> str:
        return str(self.pk)


class PaperEntry(PaperEntryBase):
    """One staff member's typing of one paper ballot (identified by the serial printed on it)."""

    vote = models.ForeignKey(Vote, on_delete=models.CASCADE, related_name="paper_entries")

    objects = TenantManager["PaperEntry"]()

    class Meta(PaperEntryBase.Meta):
        constraints = [PaperEntryBase.one_per_person("vote", "paperentry_one_per_person")]

    def __str__(self) -> str:
        return f"{self.vote_id}/{self.serial} by {self.entered_by_id}"
