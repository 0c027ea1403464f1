"""Pages render for each kind of visitor, list pages keep their query count, CSV exports."""

from __future__ import annotations

import pytest
from django.urls import reverse

from gongzhi.core.models import Role
from tests.factories import member


@pytest.mark.django_db
def test_community_home_for_visitor_and_member(client, community, resident):
    url = reverse("community_home", args=[community.slug])
    assert client.get(url).status_code == 200
    client.force_login(resident)
    page = client.get(url, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "My participation record" in page
    assert "Staff console" not in page


@pytest.mark.django_db
def test_member_list_query_count_is_bounded(
    client, community, worker, django_assert_max_num_queries
):
    for i in range(60):
        member(community, Role.VOLUNTEER if i % 3 == 0 else None)
    client.force_login(worker)
    with django_assert_max_num_queries(20):
        response = client.get(reverse("member_list", args=[community.slug]))
    assert response.status_code == 200
    assert response.content.decode().count('href="/c/') >= 50


@pytest.mark.django_db
def test_member_list_filters(client, community, worker):
    volunteer = member(community, Role.VOLUNTEER, display_name="志愿者小王")
    member(community, verified=False, display_name="新来的")
    client.force_login(worker)
    url = reverse("member_list", args=[community.slug])
    page = client.get(url, {"role": "volunteer"}).content.decode()
    assert volunteer.display_name in page and "新来的" not in page
    page = client.get(url, {"status": "unverified"}).content.decode()
    assert "新来的" in page and volunteer.display_name not in page
    page = client.get(url, {"q": volunteer.phone[-8:]}).content.decode()
    assert volunteer.display_name in page


@pytest.mark.django_db
def test_member_csv_export(client, community, worker, resident):
    client.force_login(worker)
    response = client.get(reverse("member_list", args=[community.slug]), {"format": "csv"})
    assert response["Content-Type"].startswith("text/csv")
    text = response.content.decode("utf-8-sig")
    assert resident.phone.removeprefix("+86") in text and resident.display_name in text


@pytest.mark.django_db
def test_register_on_behalf_page(client, community, worker):
    client.force_login(worker)
    url = reverse("register_on_behalf", args=[community.slug])
    bad = client.post(url, {"phone": "123", "display_name": "孙爷爷"}, HTTP_ACCEPT_LANGUAGE="en")
    assert bad.status_code == 200 and "valid mobile phone number" in bad.content.decode()
    response = client.post(
        url, {"phone": "13955556666", "display_name": "孙爷爷", "building": "5号楼", "unit": "101"}
    )
    assert response.status_code == 302


@pytest.mark.django_db
def test_audit_trail_for_supervisor(client, community, supervisor, resident):
    from gongzhi.core import services

    services.membership_join(
        actor=member(
            community.__class__.objects.create(street=community.street, name="x", slug="x")
        ),
        community=community,
    )
    client.force_login(supervisor)
    response = client.get(reverse("audit_trail", args=[community.slug]))
    assert response.status_code == 200


@pytest.mark.django_db
def test_profile_saves_language_and_age_friendly(client, resident):
    client.force_login(resident)
    response = client.post(
        reverse("profile"),
        {"display_name": "新名字", "email": "", "language": "en", "age_friendly": "on"},
    )
    assert response.status_code == 302
    resident.refresh_from_db()
    assert resident.language == "en" and resident.age_friendly
    page = " ".join(client.get(reverse("home")).content.decode().split())
    assert '<html lang="en" class="af">' in page


@pytest.mark.django_db
def test_age_friendly_toggle_for_visitors_uses_a_cookie(client):
    client.post(reverse("toggle_age_friendly"), {"enabled": "1", "next": "/"})
    assert 'class="af"' in client.get("/").content.decode()
    client.post(reverse("toggle_age_friendly"), {"enabled": "0", "next": "/"})
    assert 'class="af"' not in client.get("/").content.decode()


@pytest.mark.django_db
def test_language_switch_rejects_foreign_redirects(client):
    response = client.post(
        reverse("set_language"), {"language": "en", "next": "https://evil.example/"}
    )
    assert response["Location"] == "/"


@pytest.mark.django_db
def test_pages_need_no_cdn(client, community):
    page = client.get(reverse("community_home", args=[community.slug])).content.decode()
    assert "https://" not in page and "http://" not in page.replace("http://testserver", "")


@pytest.mark.django_db
def test_skip_link_comes_first(client):
    page = client.get("/").content.decode()
    body = page[page.index("<body>") :]
    assert body.index('class="skip-link"') < body.index("<header")


@pytest.mark.django_db
def test_every_stylesheet_and_script_the_layout_names_is_served(client):
    import re

    page = client.get("/").content.decode()
    assets = re.findall(r'(?:href|src)="(/static/[^"]+)"', page)
    assert any(a.endswith(".css") for a in assets) and any(a.endswith(".js") for a in assets)
    for asset in assets:
        response = client.get(asset)
        assert response.status_code == 200, asset


@pytest.mark.django_db
def test_member_list_pages_keep_order_and_cover_everyone(client, community, worker):
    from gongzhi.core.models import Membership

    for _ in range(120):
        member(community)
    client.force_login(worker)
    url = reverse("member_list", args=[community.slug])
    seen = []
    for number in (1, 2, 3):
        page = client.get(url, {"page": number}).context["page"]
        seen.extend(m.pk for m in page.object_list)
    expected = list(
        Membership.objects.in_community(community)
        .order_by("-joined_at", "-pk")
        .values_list("pk", flat=True)
    )
    assert seen == expected
