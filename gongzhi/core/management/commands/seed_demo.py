"""Build a believable demo street: three communities, their buildings, households, residents
with Chinese names, every role, and a journal of what they did. Bulk inserts throughout, so
3,000 residents take seconds and ``--residents 100000`` stays practical.

Random but reproducible (``--seed``). Run once: it does nothing if the demo street exists.

It seeds only an empty database, and only for the demo or development: its accounts have a
published password and two-factor secret, a platform administrator among them, and its phone
numbers are real mobile numbers (139…), so it refuses a database holding communities or accounts
that are not the demo's, and production settings. ``--force`` used to delete the demo street to
seed it again; it cannot: the demo's activity journal and its ledger are append-only, as
everywhere. So ``--force`` deletes nothing and says how to start afresh: a fresh data directory.
"""

from __future__ import annotations

import random
import time
from datetime import timedelta
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from allauth.mfa.totp.internal.auth import TOTP
from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from gongzhi.core.demo import DemoContext, seed_all
from gongzhi.core.journal import PendingEntry, bulk_append
from gongzhi.core.models import (
    Building,
    Community,
    District,
    Grid,
    Household,
    Membership,
    Oversight,
    Role,
    RoleGrant,
    Street,
    VerificationMethod,
)

if TYPE_CHECKING:
    from gongzhi.accounts.models import User
else:
    User = get_user_model()

SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤"
GIVEN = "伟芳娜秀英敏静丽强磊军洋勇艳杰娟涛明超秀兰霞平刚桂英华建国建华玉兰志强桂兰淑珍秀珍海燕文波红梅晓明丹丹欣怡子涵浩然宇轩梓萱思远雨桐嘉怡俊杰晨阳佳琪"

COMMUNITIES = [
    ("xingfu", "幸福社区", "运河边的老小区，多为六层步梯楼，老年居民多。"),
    ("hexie", "和谐社区", "建于2000年代的商品房小区，业主委员会人数多、很活跃。"),
    ("yangguang", "阳光社区", "新建的高层住宅区，年轻家庭和孩子多。"),
]
DEMO_PASSWORD = "gongzhi-demo-2026"  # noqa: S105 (printed for the demo, never in production)
#: A fixed TOTP secret for the demo staff accounts, so the README can say how to log in.
DEMO_TOTP_SECRET = "GONGZHIDEMOTOTPSECRETXXXXXXXXXXX"[:32]
PHONE_BASE = 13900000000
#: The named demo accounts (the README's logins) and what they are.
NAMED = [
    ("+8613900000001", "张秀英 (居民 resident)"),
    ("+8613900000002", "李建国 (社工 community worker)"),
    ("+8613900000003", "王志强 (街道 street official)"),
    ("+8613900000004", "陈丽 (监督委员 supervisor)"),
    ("+8613900000009", "平台管理员 admin"),
]
DEMO_DISTRICT = "demo"
FRESH_START = (
    "Start from a fresh data directory instead: stop the server, run `make clean` (it deletes "
    "var/: the database, uploads and the demo's keys) and `make run`; or point GONGZHI_DATA_DIR "
    "or DATABASE_URL at an empty place."
)

ROLE_QUOTAS = [  # per community: role, how many
    (Role.COMMUNITY_WORKER, 4),
    (Role.SUPERVISOR, 3),
    (Role.COUNCIL_MEMBER, 9),
    (Role.REVIEWER, 5),
    (Role.MEDIATOR, 3),
    (Role.ORG_LEADER, 12),
]


def chinese_name(rng: random.Random) -> str:
    surname = rng.choice(SURNAMES)
    if rng.random() < 0.3:
        return surname + rng.choice(GIVEN)
    given = GIVEN[rng.randrange(len(GIVEN))] + GIVEN[rng.randrange(len(GIVEN))]
    return surname + given


class Command(BaseCommand):
    help = "Seed a demo street with communities, residents and roles."

    def add_arguments(self, parser):
        parser.add_argument(
            "--residents", type=int, default=3000, help="residents in all (default 3000)"
        )
        parser.add_argument("--seed", type=int, default=2026)
        parser.add_argument(
            "--force",
            action="store_true",
            help="no longer deletes anything: says how to start the demo afresh",
        )
        parser.add_argument("--quiet", action="store_true")

    def handle(self, *args: Any, **options: Any) -> None:
        started = time.perf_counter()
        if settings.PRODUCTION:
            raise CommandError(
                "seed_demo refuses to run with production settings: its accounts have a "
                "published password and two-factor secret, a platform administrator among "
                "them. It runs for the demo (GONGZHI_DEMO=1, as `make run` sets) or in "
                "development (DEBUG=1)."
            )
        seeded = District.objects.filter(slug=DEMO_DISTRICT).exists()
        if seeded and not options["force"]:
            # What people did in the demo since (signing up, a new community) is theirs.
            if not options["quiet"]:
                self.stdout.write("demo already seeded (to start afresh: `make clean`)")
                self.print_logins()
            return
        foreign = self.not_the_demos()
        if foreign:
            raise CommandError(
                "seed_demo refuses to run: this database holds "
                + " and ".join(foreign)
                + " that the demo did not create, and it never touches them. "
                + FRESH_START
            )
        if seeded:
            raise CommandError(
                "seed_demo --force deletes nothing: the demo street's activity journal and its "
                "ledger are append-only, as everywhere, so the demo cannot be removed from its "
                "database. " + FRESH_START
            )
        rng = random.Random(options["seed"])
        with transaction.atomic():
            counts = self.seed(rng, max(options["residents"], 30))
            self.seed_content(rng)
        elapsed = time.perf_counter() - started
        self.stdout.write(
            f"seeded residents={counts['residents']} households={counts['households']} "
            f"activities={counts['activities']} seconds={elapsed:.1f}"
        )
        if not options["quiet"]:
            self.print_logins()

    def seed_content(self, rng: random.Random) -> None:
        """What the first community has been doing, so a visitor sees a living place and not
        empty pages: every app's registered demo content (``core.demo``), in order."""
        slugs = [slug for slug, _name, _description in COMMUNITIES]
        communities = sorted(
            Community.objects.filter(slug__in=slugs), key=lambda c: slugs.index(c.slug)
        )
        residents = [
            m.user
            for m in Membership.objects.in_community(communities[0])
            .filter(verified_at__isnull=False, role_grants__isnull=True)
            .select_related("user")
            .order_by("pk")
        ]
        crowd = residents[:]
        rng.shuffle(crowd)
        seed_all(
            DemoContext(
                communities=communities,
                worker=User.objects.get(phone="+8613900000002"),
                supervisor=User.objects.get(phone="+8613900000004"),
                residents=residents,
                crowd=crowd,
                rng=rng,
            )
        )

    def not_the_demos(self) -> list[str]:
        """What the database holds that the demo did not create, in words; empty if nothing.

        The demo's are its district, streets and communities, and the accounts with a demo
        phone number that are members of its communities, oversee its street or are its named
        accounts. Anyone else, even with a 139… number, is a real person.
        """
        found = []
        outside = {
            "district": District.objects.exclude(slug=DEMO_DISTRICT),
            "street": Street.objects.exclude(district__slug=DEMO_DISTRICT),
            "community": Community.objects.exclude(street__district__slug=DEMO_DISTRICT),
        }
        places = [
            f"{kind} {slug}"
            for kind, rows in outside.items()
            for slug in rows.order_by("slug").values_list("slug", flat=True)
        ]
        if places:
            more = f" and {len(places) - 5} more" if len(places) > 5 else ""
            found.append(f"{len(places)} place(s) ({', '.join(places[:5])}{more})")
        others = User.objects.all()
        if District.objects.filter(slug=DEMO_DISTRICT).exists():
            members = Membership.objects.all_communities().filter(
                community__street__district__slug=DEMO_DISTRICT
            )
            overseers = Oversight.objects.filter(street__district__slug=DEMO_DISTRICT)
            demo_users = User.objects.filter(phone__regex=r"^\+8613900[0-9]{6}$").filter(
                Q(pk__in=members.values("user"))
                | Q(pk__in=overseers.values("user"))
                | Q(phone__in=[phone for phone, _name in NAMED])
            )
            others = others.exclude(pk__in=demo_users.values("pk"))
        count = others.count()
        if count:
            found.append(f"{count} account(s)")
        return found

    def seed(self, rng: random.Random, total_residents: int) -> dict[str, int]:
        district = District.objects.create(name="示范区", slug=DEMO_DISTRICT)
        street = Street.objects.create(district=district, name="和平街道", slug="heping")
        now = timezone.now()
        password_hash = make_password(DEMO_PASSWORD)  # hashed once: argon2 is slow on purpose

        # Named demo accounts first, so their phone numbers are easy to remember.
        named = NAMED
        users: list[User] = []
        for phone, name in named:
            users.append(
                User(
                    phone=phone,
                    phone_verified=True,
                    display_name=name.split(" (")[0],
                    password=password_hash,
                    date_joined=now - timedelta(days=400),
                    is_staff=phone.endswith("09"),
                    is_superuser=phone.endswith("09"),
                )
            )
        for i in range(10, total_residents + 10):
            users.append(
                User(
                    phone=f"+86{PHONE_BASE + i}",
                    phone_verified=rng.random() < 0.9,
                    display_name=chinese_name(rng),
                    password="!",  # noqa: S106 (unusable: these residents log in with a code)
                    date_joined=now
                    - timedelta(days=rng.randrange(1, 730), minutes=rng.randrange(1440)),
                    age_friendly=rng.random() < 0.12,
                    language="en" if rng.random() < 0.03 else "",
                )
            )
        User.objects.bulk_create(users, batch_size=2000)
        users = list(User.objects.filter(phone__startswith="+86139").order_by("phone"))
        by_phone = {u.phone: u for u in users}
        resident, worker, official, supervisor, admin = (by_phone[p] for p, _n in named)

        Oversight.objects.create(user=official, street=street)
        for authenticated in (worker, official, admin):
            TOTP.activate(authenticated, DEMO_TOTP_SECRET)

        ordinary = [u for u in users if u.pk not in {official.pk, admin.pk}]
        rng.shuffle(ordinary)
        # The named resident, worker and supervisor all live in the first community.
        for person in (supervisor, worker, resident):
            ordinary.remove(person)
            ordinary.insert(0, person)
        shares = [0.4, 0.35, 0.25]
        counts = {"residents": 0, "households": 0, "activities": 0}
        start = 0
        for index, (slug, name, description) in enumerate(COMMUNITIES):
            size = (
                len(ordinary) - start
                if index == len(COMMUNITIES) - 1
                else int(len(ordinary) * shares[index])
            )
            people = ordinary[start : start + size]
            start += size
            community = Community.objects.create(
                street=street,
                slug=slug,
                name=name,
                description=description,
                created_at=now - timedelta(days=800),
            )
            self.seed_community(rng, community, people, counts, named_first=index == 0)
        return counts

    def seed_community(
        self,
        rng: random.Random,
        community: Community,
        people: list[User],
        counts: dict[str, int],
        named_first: bool,
    ) -> None:
        now = timezone.now()
        n_households = max(4, int(len(people) / 2.3))
        n_buildings = max(1, -(-n_households // 48))
        grids = Grid.objects.bulk_create(
            [
                Grid(community=community, name=f"第{i + 1}网格")
                for i in range(max(1, n_buildings // 6 + 1))
            ]
        )
        buildings = Building.objects.bulk_create(
            [
                Building(community=community, name=f"{i + 1}号楼", grid=grids[i % len(grids)])
                for i in range(n_buildings)
            ]
        )
        households = []
        for i in range(n_households):
            building = buildings[i // 48]
            slot = i % 48
            unit, floor, door = slot // 12 + 1, (slot % 12) // 2 + 1, slot % 2 + 1
            households.append(
                Household(
                    community=community,
                    building=building,
                    unit=f"{unit}单元{floor}0{door}",
                    floor_area=Decimal(rng.randrange(4500, 14000)) / 100,
                )
            )
        households = Household.objects.bulk_create(households, batch_size=2000)
        counts["households"] += len(households)

        methods = [
            VerificationMethod.ROSTER,
            VerificationMethod.IN_PERSON,
            VerificationMethod.LETTER_CODE,
        ]
        memberships = []
        for i, person in enumerate(people):
            joined = max(person.date_joined, now - timedelta(days=720))
            verified = (named_first and i < 3) or rng.random() < 0.82
            consented = rng.random() < 0.55
            memberships.append(
                Membership(
                    community=community,
                    user=person,
                    household=households[i % len(households)]
                    if rng.random() < 0.95 or named_first and i < 3
                    else None,
                    joined_at=joined,
                    verified_at=min(now, joined + timedelta(days=rng.randrange(0, 20)))
                    if verified
                    else None,
                    verification_method=rng.choice(methods) if verified else "",
                    groups_consented_at=joined if consented else None,
                    is_elderly=consented and rng.random() < 0.28,
                    has_disability=consented and rng.random() < 0.06,
                    is_low_income=consented and rng.random() < 0.09,
                )
            )
        memberships = Membership.objects.bulk_create(memberships, batch_size=2000)
        counts["residents"] += len(memberships)

        grants = []
        verified_members = [m for m in memberships if m.verified_at]
        pool = verified_members[3:] if named_first else verified_members[:]
        rng.shuffle(pool)
        cursor = 0
        if named_first:
            worker_m, supervisor_m = memberships[1], memberships[2]
            grants.append(
                RoleGrant(community=community, membership=worker_m, role=Role.COMMUNITY_WORKER)
            )
            grants.append(
                RoleGrant(community=community, membership=supervisor_m, role=Role.SUPERVISOR)
            )
            grants.append(
                RoleGrant(community=community, membership=memberships[0], role=Role.VOLUNTEER)
            )
        # Roles are a few people's. In a small demo (``--residents 60``) the quotas would take
        # every verified member and leave the apps' demos no residents (the crowd) to act as, so
        # roles go to at most half of the pool (the community workers always).
        room = max(ROLE_QUOTAS[0][1], len(pool) // 2)
        for role, quota in ROLE_QUOTAS:
            for membership in pool[cursor : min(cursor + quota, room)]:
                grants.append(RoleGrant(community=community, membership=membership, role=role))
            cursor += quota
        volunteers = max(5, len(memberships) // 12)
        for membership in pool[cursor : min(cursor + volunteers, room)]:
            grants.append(
                RoleGrant(community=community, membership=membership, role=Role.VOLUNTEER)
            )
        grants = RoleGrant.objects.bulk_create(grants, batch_size=2000)

        workers = [g.membership.user_id for g in grants if g.role == Role.COMMUNITY_WORKER]
        pending: list[PendingEntry] = []
        for m in memberships:
            on_behalf = m.verification_method == VerificationMethod.IN_PERSON and rng.random() < 0.3
            pending.append(
                PendingEntry(
                    "membership.joined",
                    rng.choice(workers) if on_behalf else m.user_id,
                    m.joined_at,
                    m,
                    on_behalf_of_id=m.user_id if on_behalf else None,
                )
            )
            if m.verified_at:
                by_worker = m.verification_method == VerificationMethod.IN_PERSON
                pending.append(
                    PendingEntry(
                        "membership.verified",
                        rng.choice(workers) if by_worker else m.user_id,
                        m.verified_at,
                        m,
                        on_behalf_of_id=m.user_id if by_worker else None,
                        data={"method": m.verification_method},
                    )
                )
        for g in grants:
            pending.append(
                PendingEntry(
                    "role.granted",
                    rng.choice(workers),
                    g.membership.verified_at or now,
                    g.membership,
                    data={"role": g.role, "user": g.membership.user_id},
                )
            )
        pending.sort(key=lambda e: e.at)
        counts["activities"] += bulk_append(community, pending)

    def print_logins(self) -> None:
        self.stdout.write(
            f"\nDemo logins (password for all: {DEMO_PASSWORD}; or log in with a code: it is printed on the server console)\n"
            "  resident            13900000001   幸福社区\n"
            "  community worker    13900000002   幸福社区   (two-factor: run `make totp` for the current code)\n"
            "  street official     13900000003   和平街道   (two-factor: `make totp`)\n"
            "  supervisor          13900000004   幸福社区\n"
            "  platform admin      13900000009   (two-factor: `make totp`)\n"
            f"  two-factor secret for an authenticator app: {DEMO_TOTP_SECRET}\n"
        )
