"""What covenants store (R5.4): a community's or a building's own rules (社区公约, 居民公约, 楼栋公约),
drafted together and adopted by vote.

- A ``Covenant`` is owned by a drafting body (``bodies.Body``) and scoped to the community or to
  one building. Its text lives in ``Version`` rows, each a whole text of numbered ``Article`` rows
  with their ``Paragraph`` rows; every version stays readable. An article and a paragraph carry a
  ``key``, stable across versions (an unchanged or replaced paragraph keeps its key; an inserted
  one takes the covenant's next key), so comments and amendments stay anchored to what they
  were about while the numbering moves.
- A ``Round`` is one pass from a draft to a text in force: drafting, public consultation and
  revision are dated phases (``core/phases.py``: ``Round.schedule()``); ratification, filing and
  being in force follow events (a vote's result, the street office's receipt), kept in
  ``Round.status``. A review is a new round that starts from the text in force.
- During consultation residents ``Comment`` on an article or a paragraph and propose an
  ``Amendment`` (replace, insert, delete, with a reason), which others ``Support``. The drafting
  body accepts or rejects each with a public reason, or sends contested ones to an
  article-by-article vote. The consolidated text is the draft with the accepted amendments
  applied in the order they were accepted (``Amendment.sequence``; ``text.py``).
- Ratification is a vote of the voting app (``Round.ratification_vote``); the adopted version is
  filed (备案) with the street office and acknowledged per household (``Acknowledgement``).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from gongzhi.core import phases
from gongzhi.core.tenancy import TenantManager, TenantModel


class Scope(models.TextChoices):
    COMMUNITY = "community", _("the whole community")
    BUILDING = "building", _("one building")


class Covenant(TenantModel):
    title = models.CharField(_("title"), max_length=120)
    #: what it is about, in a line ("pets, noise and parking")
    summary = models.CharField(_("what it covers"), max_length=300, blank=True)
    scope = models.CharField(_("applies to"), max_length=10, choices=Scope.choices)
    building = models.ForeignKey(
        "core.Building", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    drafting_body = models.ForeignKey(
        "bodies.Body", on_delete=models.PROTECT, related_name="covenants"
    )
    #: it rules owners' common parts (Civil Code art. 278): owners ratify it, by area and heads
    owners_matter = models.BooleanField(_("concerns owners' common parts"), default=False)
    #: the adopted version now in force, if any
    in_force = models.ForeignKey(
        "Version", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    #: the next article or paragraph key (keys are never reused within a covenant)
    next_key = models.PositiveIntegerField(default=1)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    objects = TenantManager["Covenant"]()

    class Meta:
        verbose_name = _("covenant")
        verbose_name_plural = _("covenants")
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(scope="community", building__isnull=True)
                | Q(scope="building", building__isnull=False),
                name="covenant_building_iff_building_scope",
            ),
        ]

    def __str__(self) -> str:
        return self.title


class VersionKind(models.TextChoices):
    DRAFT = "draft", _("draft")
    CONSOLIDATED = "consolidated", _("consolidated text")
    ADOPTED = "adopted", _("adopted text")


class Version(TenantModel):
    """A whole text: its articles and paragraphs. Written once, never changed: an edit during
    drafting replaces the draft's rows before consultation opens; after that, changes come only
    from amendments, into a new version."""

    covenant = models.ForeignKey(Covenant, on_delete=models.CASCADE, related_name="versions")
    #: 1, 2, 3 … within the covenant
    number = models.PositiveIntegerField()
    kind = models.CharField(_("kind"), max_length=12, choices=VersionKind.choices)
    round = models.ForeignKey(
        "Round", null=True, blank=True, on_delete=models.PROTECT, related_name="versions"
    )
    #: the version this one was made from (the draft a consolidated text applies amendments to)
    based_on = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    preamble = models.TextField(_("preamble"), blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    #: when it was adopted (ratified), for an adopted version
    adopted_at = models.DateTimeField(null=True, blank=True)

    objects = TenantManager["Version"]()

    class Meta:
        verbose_name = _("covenant version")
        verbose_name_plural = _("covenant versions")
        ordering = ["covenant", "number"]
        constraints = [
            models.UniqueConstraint(
                fields=["community", "covenant", "number"], name="covenant_version_unique_number"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.covenant_id} v{self.number}"


class Article(TenantModel):
    version = models.ForeignKey(Version, on_delete=models.CASCADE, related_name="articles")
    #: 1, 2, 3 … in the version: shown as 第一条, 第二条 …
    position = models.PositiveIntegerField()
    key = models.PositiveIntegerField()
    heading = models.CharField(_("heading"), max_length=120, blank=True)
    #: the amendment that inserted it, if one did (where a change came from)
    origin = models.ForeignKey(
        "Amendment", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    objects = TenantManager["Article"]()

    class Meta:
        verbose_name = _("article")
        verbose_name_plural = _("articles")
        ordering = ["version", "position"]
        constraints = [
            models.UniqueConstraint(
                fields=["community", "version", "position"], name="article_unique_position"
            ),
            models.UniqueConstraint(
                fields=["community", "version", "key"], name="article_unique_key"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.version_id} §{self.position}"


class Paragraph(TenantModel):
    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="paragraphs")
    #: 1, 2, 3 … in the article: shown as 第一款 …
    position = models.PositiveIntegerField()
    key = models.PositiveIntegerField()
    text = models.TextField(_("text"), max_length=2000)
    #: the amendment that wrote this text, if one did (where a change came from)
    origin = models.ForeignKey(
        "Amendment", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    objects = TenantManager["Paragraph"]()

    class Meta:
        verbose_name = _("paragraph")
        verbose_name_plural = _("paragraphs")
        ordering = ["article", "position"]
        constraints = [
            models.UniqueConstraint(
                fields=["community", "article", "position"], name="paragraph_unique_position"
            ),
            models.UniqueConstraint(
                fields=["community", "article", "key"], name="paragraph_unique_key"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.article_id}.{self.position}"


class RoundKind(models.TextChoices):
    DRAFTING = "drafting", _("first drafting")
    REVIEW = "review", _("review")


class RoundStatus(models.TextChoices):
    #: drafting, consultation and revision: which of them is current is read from the dates
    OPEN = "open", _("being drafted")
    RATIFYING = "ratifying", _("being ratified")
    #: ratified, waiting for the street office to receive the filing
    RATIFIED = "ratified", _("ratified, being filed")
    IN_FORCE = "in_force", _("in force")
    NOT_ADOPTED = "not_adopted", _("not adopted")
    ABANDONED = "abandoned", _("abandoned")


#: What each dated phase opens: residents comment, amend and support during consultation; the
#: drafting body decides on amendments from consultation to the end of revision, and supports may
#: still come in while an amendment waits for its decision.
ROUND_FEATURES = {
    "consultation": {"comment", "amend", "support", "decide"},
    "revision": {"decide", "support"},
}


class Round(TenantModel):
    """One pass from a draft to a text in force (or not)."""

    covenant = models.ForeignKey(Covenant, on_delete=models.CASCADE, related_name="rounds")
    number = models.PositiveIntegerField()
    kind = models.CharField(_("kind"), max_length=10, choices=RoundKind.choices)
    status = models.CharField(
        _("status"), max_length=12, choices=RoundStatus.choices, default=RoundStatus.OPEN
    )
    #: the text residents consult on (a draft version)
    draft = models.ForeignKey(Version, on_delete=models.PROTECT, related_name="+")
    #: the draft with the accepted amendments applied, once revision is done
    consolidated = models.ForeignKey(
        Version, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    # The dated phases (half-open, contiguous): drafting from ``drafting_starts``, consultation
    # from ``consultation_starts``, revision from ``revision_starts`` until ``revision_ends``.
    drafting_starts = models.DateTimeField(_("drafting starts"))
    consultation_starts = models.DateTimeField(_("public consultation starts"))
    revision_starts = models.DateTimeField(_("revision starts"))
    revision_ends = models.DateTimeField(_("revision ends"))
    ratification_vote = models.ForeignKey(
        "voting.Vote", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    ratified_at = models.DateTimeField(null=True, blank=True)
    # Filing (备案) with the street office: a worker submits, a street official receives.
    filing_submitted_at = models.DateTimeField(null=True, blank=True)
    filing_submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    filing_received_at = models.DateTimeField(null=True, blank=True)
    filing_received_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    filing_reference = models.CharField(_("filing reference"), max_length=60, blank=True)
    in_force_from = models.DateField(_("in force from"), null=True, blank=True)
    published_at = models.DateTimeField(null=True, blank=True)
    #: why it was abandoned or not adopted
    closing_note = models.CharField(_("note"), max_length=500, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    objects = TenantManager["Round"]()

    class Meta:
        verbose_name = _("drafting round")
        verbose_name_plural = _("drafting rounds")
        ordering = ["covenant", "number"]
        constraints = [
            models.UniqueConstraint(
                fields=["community", "covenant", "number"], name="covenant_round_unique_number"
            ),
            # At most one round of a covenant is under way at a time.
            models.UniqueConstraint(
                fields=["community", "covenant"],
                condition=Q(status__in=["open", "ratifying", "ratified"]),
                name="covenant_one_round_under_way",
            ),
            models.CheckConstraint(
                condition=Q(drafting_starts__lte=models.F("consultation_starts"))
                & Q(consultation_starts__lte=models.F("revision_starts"))
                & Q(revision_starts__lte=models.F("revision_ends")),
                name="covenant_round_phases_in_order",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.covenant_id} round {self.number}"

    def schedule(self) -> phases.Schedule:
        """The dated phases (core/phases.py): drafting, consultation and revision, each until
        the next begins, revision until ``revision_ends``. Dates only: whether the round is
        still open is ``status`` (see ``selectors.current_phase``)."""
        return phases.Schedule.contiguous(
            [
                ("drafting", self.drafting_starts),
                ("consultation", self.consultation_starts),
                ("revision", self.revision_starts),
            ],
            end=self.revision_ends,
            features=ROUND_FEATURES,
        )


class Comment(TenantModel):
    """A resident's comment on an article or one of its paragraphs, during consultation."""

    round = models.ForeignKey(Round, on_delete=models.CASCADE, related_name="comments")
    #: the article (key) and, when on a paragraph, the paragraph (key), in the round's draft
    article_key = models.PositiveIntegerField()
    paragraph_key = models.PositiveIntegerField(null=True, blank=True)
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    text = models.TextField(_("comment"), max_length=2000)
    created_at = models.DateTimeField(default=timezone.now)
    #: a worker who wrote it down for the author (代办)
    written_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    objects = TenantManager["Comment"]()

    class Meta:
        verbose_name = pgettext_lazy("covenant", "comment")
        verbose_name_plural = pgettext_lazy("covenant", "comments")
        ordering = ["round", "article_key", "created_at", "pk"]
        indexes = [models.Index(fields=["community", "round", "article_key", "created_at"])]

    def __str__(self) -> str:
        return f"{self.round_id}/{self.article_key}: {self.text[:30]}"


class AmendmentKind(models.TextChoices):
    REPLACE = "replace", _("replace the text of a paragraph")
    INSERT_PARAGRAPH = "insert_paragraph", _("insert a paragraph")
    INSERT_ARTICLE = "insert_article", _("insert an article")
    DELETE_PARAGRAPH = "delete_paragraph", _("delete a paragraph")
    DELETE_ARTICLE = "delete_article", _("delete an article")


class AmendmentStatus(models.TextChoices):
    PROPOSED = "proposed", _("proposed")
    #: sent by the drafting body to an article-by-article vote
    TO_VOTE = "to_vote", _("put to a vote")
    ACCEPTED = "accepted", _("accepted")
    REJECTED = "rejected", _("rejected")
    WITHDRAWN = "withdrawn", _("withdrawn")


class Amendment(TenantModel):
    """A proposed change to the round's draft. Targets are keys in the draft:

    - replace: ``paragraph_key`` gets ``text``;
    - insert_paragraph: a paragraph with ``text`` into article ``article_key``, after
      ``paragraph_key`` (first when null);
    - insert_article: an article with ``heading`` and ``text`` (its paragraphs, one per line)
      after article ``article_key`` (first when null);
    - delete_paragraph: ``paragraph_key``; delete_article: ``article_key``.
    """

    round = models.ForeignKey(Round, on_delete=models.CASCADE, related_name="amendments")
    #: 1, 2, 3 … within the round, as residents cite them ("amendment 12")
    number = models.PositiveIntegerField()
    kind = models.CharField(_("kind of change"), max_length=20, choices=AmendmentKind.choices)
    article_key = models.PositiveIntegerField(null=True, blank=True)
    paragraph_key = models.PositiveIntegerField(null=True, blank=True)
    heading = models.CharField(_("heading"), max_length=120, blank=True)
    text = models.TextField(_("new text"), max_length=4000, blank=True)
    reason = models.TextField(_("reason"), max_length=2000)
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    written_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    status = models.CharField(
        _("status"), max_length=10, choices=AmendmentStatus.choices, default="proposed"
    )
    #: the order accepted amendments apply in (1, 2, 3 … within the round), set on acceptance
    sequence = models.PositiveIntegerField(null=True, blank=True)
    #: the drafting body's public reason, and who recorded its decision
    decision_reason = models.TextField(_("the drafting body's reason"), blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    #: the body's decision (bodies.Decision) or the vote that decided it
    decision = models.ForeignKey(
        "bodies.Decision", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    vote = models.ForeignKey(
        "voting.Vote", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    supporters_count = models.PositiveIntegerField(default=0)

    objects = TenantManager["Amendment"]()

    class Meta:
        verbose_name = _("amendment")
        verbose_name_plural = _("amendments")
        ordering = ["round", "number"]
        indexes = [models.Index(fields=["community", "round", "article_key"])]
        constraints = [
            models.UniqueConstraint(
                fields=["community", "round", "number"], name="amendment_unique_number"
            ),
            # An accepted amendment applies once, at one place in the order.
            models.UniqueConstraint(
                fields=["community", "round", "sequence"],
                condition=Q(sequence__isnull=False),
                name="amendment_unique_sequence",
            ),
            models.CheckConstraint(
                condition=Q(status="accepted", sequence__isnull=False)
                | (~Q(status="accepted") & Q(sequence__isnull=True)),
                name="amendment_sequence_iff_accepted",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.round_id} #{self.number}"


class Support(TenantModel):
    amendment = models.ForeignKey(Amendment, on_delete=models.CASCADE, related_name="supports")
    person = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    objects = TenantManager["Support"]()

    class Meta:
        verbose_name = _("support for an amendment")
        verbose_name_plural = _("supports for amendments")
        constraints = [
            models.UniqueConstraint(
                fields=["community", "amendment", "person"], name="amendment_support_once"
            ),
        ]


class Acknowledgement(TenantModel):
    """A household's confirmation that it has read the covenant in force (one per household and
    version), given by a member of that household."""

    version = models.ForeignKey(Version, on_delete=models.CASCADE, related_name="acknowledgements")
    household = models.ForeignKey("core.Household", on_delete=models.CASCADE, related_name="+")
    person = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    #: a worker who recorded a paper confirmation (代办)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    objects = TenantManager["Acknowledgement"]()

    class Meta:
        verbose_name = _("household acknowledgement")
        verbose_name_plural = _("household acknowledgements")
        constraints = [
            models.UniqueConstraint(
                fields=["community", "version", "household"],
                name="covenant_acknowledged_once_per_household",
            ),
        ]
