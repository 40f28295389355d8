"""The demo organisation's people, teams and products (``seed_demo``).

Other apps add their data on top through ``DEMO_SEEDERS`` in the command. Every
step is idempotent: running ``seed_demo`` twice leaves one organisation.
"""

from dataclasses import dataclass, field

from django.contrib.auth.hashers import make_password
from django.db import transaction

from .models import Product, Role, Team, User

TEAM_NAMES = [
    "Core Platform",
    "Analytics",
    "Security",
    "Payments",
    "Mobile",
    "Integrations",
    "Data Cloud",
    "Collaboration",
    "Developer Tools",
    "AI Assistants",
]
PRODUCTS_BY_TEAM = {
    "Core Platform": ["Atlas Platform", "Atlas Edge"],
    "Analytics": ["Insight Studio", "Insight Embedded"],
    "Security": ["Sentinel", "Sentinel Cloud"],
    "Payments": ["PayFlow", "PayFlow Billing"],
    "Mobile": ["Pocket", "Pocket SDK"],
    "Integrations": ["Connect Hub", "Connect Flows"],
    "Data Cloud": ["Lakehouse", "Streams"],
    "Collaboration": ["Teamspace", "Teamspace Docs"],
    "Developer Tools": ["Forge CI", "Forge Registry"],
    "AI Assistants": ["Copilot Desk", "Copilot Agents"],
}
TIME_ZONES = ["Europe/Paris", "America/New_York", "America/Los_Angeles", "Europe/London", "Asia/Singapore"]
FIRST_NAMES = [
    "Ava",
    "Noah",
    "Mia",
    "Liam",
    "Zoe",
    "Omar",
    "Lena",
    "Ravi",
    "Chloe",
    "Mateo",
    "Ines",
    "Kenji",
    "Sara",
    "Felix",
    "Amara",
    "Jonas",
    "Priya",
    "Diego",
    "Elif",
    "Tom",
]
LAST_NAMES = [
    "Martin",
    "Okafor",
    "Schmidt",
    "Nakamura",
    "Rossi",
    "Dubois",
    "Kowalski",
    "Silva",
    "Haddad",
    "Larsen",
    "Moreau",
    "Patel",
    "Novak",
    "Garcia",
    "Jensen",
    "Khan",
]


@dataclass
class DemoOrg:
    """What the core seeder made, handed to the other apps' seeders."""

    scale: int
    password_hash: str
    teams: list[Team] = field(default_factory=list)
    products: list[Product] = field(default_factory=list)
    pmms: list[User] = field(default_factory=list)
    pms: list[User] = field(default_factory=list)
    sales: list[User] = field(default_factory=list)
    cmos: list[User] = field(default_factory=list)


def _person(index: int) -> tuple[str, str]:
    return FIRST_NAMES[index % len(FIRST_NAMES)], LAST_NAMES[(index * 7) % len(LAST_NAMES)]


def _user(username: str, role: str, index: int, password_hash: str, title: str, reset: bool) -> User:
    first, last = _person(index)
    user, created = User.objects.get_or_create(
        username=username,
        defaults={
            "role": role,
            "first_name": first,
            "last_name": last,
            "email": f"{username}@demo.pmm-portal.test",
            "job_title": title,
            "password": password_hash,
            "is_staff": role == Role.ADMIN,
            "is_superuser": role == Role.ADMIN,
        },
    )
    if reset and not created:
        user.password = password_hash
        user.save(update_fields=["password"])
    return user


@transaction.atomic
def seed_core(*, scale: int, password: str, reset_passwords: bool) -> DemoOrg:
    """Teams, products and people. Scale 1: two teams led by ``cmo`` (so "all my teams" has
    something to add up), four PMMs; scale 100: ten teams and fifty PMMs."""
    password_hash = make_password(password)
    org = DemoOrg(scale=scale, password_hash=password_hash)
    team_count = min(len(TEAM_NAMES), max(2, scale // 10))
    pmm_count = max(4, scale // 2)
    sales_count = max(3, scale // 2)
    pm_count = max(1, team_count)

    def user(username: str, role: str, index: int, title: str) -> User:
        return _user(username, role, index, password_hash, title, reset_passwords)

    _user("admin", Role.ADMIN, 19, password_hash, "Portal administrator", reset_passwords)
    org.cmos = [user("cmo", Role.CMO, 0, "Chief Marketing Officer")]
    org.cmos += [
        user(f"cmo{i}", Role.CMO, 40 + i, "Marketing Director") for i in range(2, team_count // 3 + 2)
    ]
    org.pmms = [user("pmm", Role.PMM, 1, "Senior Product Marketing Manager")]
    org.pmms += [
        user(f"pmm{i}", Role.PMM, 100 + i, "Product Marketing Manager") for i in range(2, pmm_count + 1)
    ]
    org.pms = [user("pm", Role.PM, 2, "Product Manager")]
    org.pms += [user(f"pm{i}", Role.PM, 200 + i, "Product Manager") for i in range(2, pm_count + 1)]
    org.sales = [user("sales", Role.SALES, 3, "Account Executive")]
    org.sales += [
        user(f"sales{i}", Role.SALES, 300 + i, "Account Executive" if i % 3 else "Solutions Engineer")
        for i in range(2, sales_count + 1)
    ]

    for index, name in enumerate(TEAM_NAMES[:team_count]):
        team, _ = Team.objects.get_or_create(
            slug=name.lower().replace(" ", "-"),
            defaults={
                "name": name,
                "lead": org.cmos[index % len(org.cmos)] if index else org.cmos[0],
                "time_zone": TIME_ZONES[index % len(TIME_ZONES)],
            },
        )
        org.teams.append(team)
        members = [pmm for n, pmm in enumerate(org.pmms) if n % team_count == index]
        team.members.add(*members, org.pms[index % len(org.pms)])
        for product_name in PRODUCTS_BY_TEAM[name]:
            product, _ = Product.objects.get_or_create(
                slug=product_name.lower().replace(" ", "-"),
                defaults={
                    "name": product_name,
                    "team": team,
                    "description": f"{product_name}, marketed by {name}.",
                },
            )
            product.managers.add(org.pms[index % len(org.pms)])
            org.products.append(product)
    return org
