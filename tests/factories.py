"""factory_boy factories for the foundation's models."""

from __future__ import annotations

import factory
from django.utils import timezone

from gongzhi.accounts.models import User
from gongzhi.core.models import (
    Building,
    Community,
    District,
    Household,
    Membership,
    Oversight,
    RoleGrant,
    Street,
    VerificationMethod,
)


class DistrictFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = District

    name = factory.Sequence(lambda n: f"区{n}")
    slug = factory.Sequence(lambda n: f"district-{n}")


class StreetFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Street

    district = factory.SubFactory(DistrictFactory)
    name = factory.Sequence(lambda n: f"街道{n}")
    slug = factory.Sequence(lambda n: f"street-{n}")


class CommunityFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Community

    street = factory.SubFactory(StreetFactory)
    name = factory.Sequence(lambda n: f"社区{n}")
    slug = factory.Sequence(lambda n: f"community-{n}")


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    phone = factory.Sequence(lambda n: f"+86137{n:08d}")
    phone_verified = True
    display_name = factory.Sequence(lambda n: f"居民{n}")
    password = factory.PostGenerationMethodCall("set_password", "correct horse battery")

    @factory.post_generation
    def _save(self, create, extracted, **kwargs):
        if create:
            self.save()


class BuildingFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Building

    community = factory.SubFactory(CommunityFactory)
    name = factory.Sequence(lambda n: f"{n}号楼")


class HouseholdFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Household

    building = factory.SubFactory(BuildingFactory)
    community = factory.SelfAttribute("building.community")
    unit = factory.Sequence(lambda n: f"1单元{n}")


class MembershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Membership

    community = factory.SubFactory(CommunityFactory)
    user = factory.SubFactory(UserFactory)


class VerifiedMembershipFactory(MembershipFactory):
    verified_at = factory.LazyFunction(timezone.now)
    verification_method = VerificationMethod.IN_PERSON


def member(community, role=None, verified=True, **user_fields) -> User:
    """A user who belongs to ``community``, optionally verified and holding ``role``."""
    user = UserFactory(**user_fields)
    factory_class = VerifiedMembershipFactory if verified else MembershipFactory
    membership = factory_class(community=community, user=user)
    if role:
        RoleGrant.objects.create(community=community, membership=membership, role=role)
    return user


def official_of(street) -> User:
    user = UserFactory()
    Oversight.objects.create(user=user, street=street)
    return user
