from django.conf import settings
from django.core.exceptions import ValidationError
from django.http import HttpRequest
from django.utils import translation
from django.utils.translation import gettext as _
from ninja import Router, Schema
from ninja.security import HttpBearer

from gongzhi.accounts import services
from gongzhi.accounts.selectors import load_mfa_facts, needs_mfa_setup
from gongzhi.core.forms import ROLE_LABELS
from gongzhi.core.http import api_user
from gongzhi.core.policies import access_of


class MfaRequired(Exception):
    """A staff account without two-factor login: refused everywhere, the API included."""


class TokenAuth(HttpBearer):
    def authenticate(self, request: HttpRequest, token: str):
        user = services.api_token_authenticate(token)
        if user is None:
            return None
        if settings.GONGZHI_STAFF_MFA_REQUIRED:
            load_mfa_facts(user)
            if needs_mfa_setup(user):
                raise MfaRequired
        request.user = user
        # A client that does not say which language it wants gets the person's own.
        if user.language and "HTTP_ACCEPT_LANGUAGE" not in request.META:
            translation.activate(user.language)
        return user


router = Router(tags=["me"])


class MembershipBrief(Schema):
    community: str
    community_name: str
    verified: bool
    roles: list[str]


class MeOut(Schema):
    id: int
    phone: str
    display_name: str
    email: str
    language: str
    age_friendly: bool
    memberships: list[MembershipBrief]


class MeIn(Schema):
    display_name: str | None = None
    language: str | None = None
    age_friendly: bool | None = None


def _me(user) -> dict:
    access = access_of(user)
    memberships = sorted(access.member_of.values(), key=lambda m: m.community_id)
    communities = {m.community_id: m.community for m in memberships}
    return {
        "id": user.pk,
        "phone": user.phone,
        "display_name": user.display_name,
        "email": user.email,
        "language": user.language,
        "age_friendly": user.age_friendly,
        "memberships": [
            {
                "community": communities[m.community_id].slug,
                "community_name": communities[m.community_id].name,
                "verified": m.verified_at is not None,
                "roles": sorted(access.roles[m.community_id]),
            }
            for m in memberships
        ],
    }


@router.get("/me", response=MeOut, summary="The person calling")
def me(request: HttpRequest):
    return _me(api_user(request))


@router.patch("/me", response=MeOut, summary="Change one's own name, language or age-friendly mode")
def me_update(request: HttpRequest, payload: MeIn):
    user = api_user(request)
    name = user.display_name if payload.display_name is None else payload.display_name.strip()
    if not name or len(name) > 60:
        raise ValidationError(
            _("Your name must be 1 to 60 characters long."), code="display_name_invalid"
        )
    language = user.language if payload.language is None else payload.language
    if language and language not in dict(settings.LANGUAGES):
        raise ValidationError(_("Unknown language: use zh-hans or en."), code="language_invalid")
    services.profile_update(
        user=user,
        display_name=name,
        email=user.email,
        language=language,
        age_friendly=user.age_friendly if payload.age_friendly is None else payload.age_friendly,
    )
    return _me(user)


ROLE_CODES = sorted(ROLE_LABELS)
