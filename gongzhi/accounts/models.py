"""Users: a phone number is who you are; everything else is optional.

The phone number is stored in E.164 (``+8613800138000``) so that a roster, a login form and an
SMS gateway all agree on one spelling of it.
"""

from __future__ import annotations

import hashlib
import secrets
from typing import Any, ClassVar

from django.conf import settings
from django.contrib.auth.base_user import AbstractBaseUser, BaseUserManager
from django.contrib.auth.models import PermissionsMixin
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from gongzhi.core.phones import normalize_phone

#: An erased account's phone field: this prefix and a random code (no phone number starts so,
#: and none normalises to it, so the tombstone can never log in or be found by a number).
ERASED_PREFIX = "erased-"


class UserManager(BaseUserManager["User"]):
    use_in_migrations = True

    def create_user(self, phone: str, password: str | None = None, **extra: Any) -> User:
        user = self.model(phone=normalize_phone(phone), **extra)
        if password:
            user.set_password(password)
        else:
            user.set_unusable_password()
        user.save(using=self._db)
        return user

    def create_superuser(self, phone: str, password: str | None = None, **extra: Any) -> User:
        extra.setdefault("is_staff", True)
        extra.setdefault("is_superuser", True)
        extra.setdefault("phone_verified", True)
        return self.create_user(phone, password, **extra)


class User(AbstractBaseUser, PermissionsMixin):
    """A person with an account. Their roles live on their memberships, per community."""

    phone = models.CharField(_("phone number"), max_length=20, unique=True)
    phone_verified = models.BooleanField(_("phone verified"), default=False)
    email = models.EmailField(_("e-mail"), blank=True)
    display_name = models.CharField(_("display name"), max_length=60, blank=True)
    language = models.CharField(
        _("language"), max_length=10, choices=settings.LANGUAGES, blank=True
    )
    age_friendly = models.BooleanField(
        _("age-friendly mode"),
        default=False,
        help_text=_(
            "Larger, clearer text, bigger buttons, and every explanation shown as a help box."
        ),
    )
    is_staff = models.BooleanField(_("can use the admin site"), default=False)
    is_active = models.BooleanField(_("active"), default=True)
    date_joined = models.DateTimeField(_("joined"), default=timezone.now)
    #: When the person had their account erased (PIPL art. 47): the row stays as a tombstone,
    #: because the journal and the records the law keeps point at it, but holds nothing of them.
    erased_at = models.DateTimeField(_("erased"), null=True, blank=True)

    objects = UserManager()

    USERNAME_FIELD = "phone"
    REQUIRED_FIELDS: ClassVar[list[str]] = []

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")
        indexes = [models.Index(fields=["email"])]

    def __str__(self) -> str:
        if self.erased_at is not None:
            return self.pseudonym
        return self.display_name or self.masked_phone

    @property
    def is_erased(self) -> bool:
        return self.erased_at is not None

    @property
    def pseudonym(self) -> str:
        """How an erased account is named wherever its old acts are shown."""
        return _("former resident %(code)s") % {"code": self.phone.removeprefix(ERASED_PREFIX)}

    @property
    def masked_phone(self) -> str:
        """The phone number as staff lists show it: 138****8000."""
        if self.erased_at is not None:
            return self.pseudonym
        digits = self.phone.removeprefix("+86")
        if len(digits) < 7:
            return digits
        return f"{digits[:3]}****{digits[-4:]}"

    def get_short_name(self) -> str:
        return str(self)

    def get_full_name(self) -> str:
        return str(self)


def hash_token(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


class ApiTokenQuerySet(models.QuerySet["ApiToken"]):
    def active(self) -> ApiTokenQuerySet:
        return self.filter(revoked_at__isnull=True)


class ApiToken(models.Model):
    """A personal API token. Only its SHA-256 is stored; the token is shown once."""

    PREFIX = "gz_"

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="api_tokens"
    )
    name = models.CharField(_("name"), max_length=60)
    token_hash = models.CharField(max_length=64, unique=True)
    hint = models.CharField(max_length=12, help_text="The first characters, to tell tokens apart.")
    created_at = models.DateTimeField(default=timezone.now)
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    objects = ApiTokenQuerySet.as_manager()

    class Meta:
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")

    def __str__(self) -> str:
        return f"{self.name} ({self.hint}…)"

    @classmethod
    def new_raw_token(cls) -> str:
        return cls.PREFIX + secrets.token_urlsafe(32)
