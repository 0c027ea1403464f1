"""Owners' rolls (业主名册) for owners' votes: imported from a file or the API, whole or not at all."""

from __future__ import annotations

import io
import json
from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from gongzhi.accounts.models import User
from gongzhi.accounts.services import api_token_create
from gongzhi.core.models import Activity
from gongzhi.core.services import RosterRejected
from gongzhi.voting import services
from gongzhi.voting.models import Electorate, Kind, Method, OwnerShare, Vote
from gongzhi.voting.owner_roll import parse_area
from tests.factories import member
from tests.voting.test_votes import make_vote

CSV = """手机号,业主姓名,楼栋,单元房号,专有部分面积
13800000001,王芳,1号楼,101,85.50
13800000002,李强,1号楼,102,"120.00"
13800000001,王芳,2号楼,301,60.25㎡
"""


@pytest.fixture
def owners_vote(community, worker):
    return make_vote(
        community,
        worker,
        method=Method.YES_NO,
        options=(),
        electorate=Electorate.OWNERS,
        kind=Kind.BINDING,
        opens_at=timezone.now() + timedelta(hours=1),
        closes_at=timezone.now() + timedelta(days=3),
    )


def roll_of(vote):
    shares = OwnerShare.objects.in_community(vote.community_id).filter(vote=vote)
    return {share.owner.phone: share.area for share in shares.select_related("owner")}


def upload(client, community, vote, name, content):
    url = reverse("owner_roll", args=[community.slug, vote.pk])
    return client.post(url, {"file": SimpleUploadedFile(name, content)})


@pytest.mark.parametrize(
    ("raw", "area"),
    [("85.5", "85.50"), ("85.50㎡", "85.50"), (" 1,200 ", "1200.00"), ("60.25 m²", "60.25")],
)
def test_areas_are_read_as_written(raw, area):
    assert parse_area(raw) == Decimal(area)


@pytest.mark.parametrize("raw", ["", "abc", "0", "-5", "85.555", "NaN", "Infinity", "100000"])
def test_what_is_not_an_area_is_refused(raw):
    assert parse_area(raw) is None


@pytest.mark.django_db
def test_a_gb18030_csv_roll_counts_an_owner_of_two_units_once(
    client, community, worker, owners_vote
):
    known = member(community)
    known.phone = "+8613800000002"
    known.save()
    client.force_login(worker)
    response = upload(client, community, owners_vote, "业主名册.csv", CSV.encode("gb18030"))
    assert response.status_code == 302
    assert roll_of(owners_vote) == {
        "+8613800000001": Decimal("145.75"),
        "+8613800000002": Decimal("120.00"),
    }
    new_owner = User.objects.get(phone="+8613800000001")
    assert new_owner.display_name == "王芳" and not new_owner.has_usable_password()
    entry = Activity.objects.in_community(community).get(verb="vote.roll_set")
    assert entry.data == {"owners": 2, "accounts_created": 1}
    page = client.get(response.url).content.decode()
    assert "265.75" in page and "王芳" in page


@pytest.mark.django_db
def test_an_xlsx_roll_is_read(community, worker, owners_vote):
    from openpyxl import Workbook

    workbook = Workbook()
    sheet = workbook.active
    sheet.append(["手机号", "面积"])
    sheet.append([13800000003, 88.8])  # numbers typed into Excel
    sheet.append(["13800000004", "70"])
    buffer = io.BytesIO()
    workbook.save(buffer)
    summary = services.owner_roll_import(
        actor=worker, vote=owners_vote, filename="roll.xlsx", content=buffer.getvalue()
    )
    assert (summary.owners, summary.units, summary.area) == (2, 2, Decimal("158.80"))
    assert roll_of(owners_vote) == {
        "+8613800000003": Decimal("88.80"),
        "+8613800000004": Decimal("70.00"),
    }


@pytest.mark.django_db
def test_bad_rows_are_listed_by_line_and_change_nothing(client, community, worker, owners_vote):
    client.force_login(worker)
    upload(client, community, owners_vote, "a.csv", CSV.encode())
    before = roll_of(owners_vote)
    users_before = User.objects.count()
    bad = (
        "手机号,楼栋,房号,面积\n"
        "13800000005,3号楼,101,90\n"
        "12345,3号楼,102,90\n"
        "13800000006,3号楼,103,很大\n"
        "13800000007,3号楼,101,75\n"
    )
    response = upload(client, community, owners_vote, "b.csv", bad.encode())
    assert response.status_code == 400
    page = response.content.decode()
    for line in ("<td>3</td>", "<td>4</td>", "<td>5</td>"):
        assert line in page
    assert "<td>2</td>" not in page
    assert roll_of(owners_vote) == before and User.objects.count() == users_before
    with pytest.raises(RosterRejected) as rejected:
        services.owner_roll_import(
            actor=worker, vote=owners_vote, filename="b.csv", content=bad.encode()
        )
    assert [e.line for e in rejected.value.errors] == [3, 4, 5]


@pytest.mark.django_db
def test_a_file_without_the_area_column_is_refused_in_chinese(
    client, community, worker, owners_vote
):
    client.force_login(worker)
    response = upload(client, community, owners_vote, "a.csv", "手机号\n13800000001\n".encode())
    assert response.status_code == 400
    assert "面积" in response.content.decode()
    assert roll_of(owners_vote) == {}


@pytest.mark.django_db
def test_the_roll_is_locked_once_the_vote_opens(community, worker, owners_vote):
    services.owner_roll_import(
        actor=worker, vote=owners_vote, filename="a.csv", content=CSV.encode()
    )
    Vote.objects.in_community(community).filter(pk=owners_vote.pk).update(
        opens_at=timezone.now() - timedelta(minutes=1)
    )
    owners_vote.refresh_from_db()
    with pytest.raises(ValidationError) as locked:
        services.owner_roll_import(
            actor=worker, vote=owners_vote, filename="a.csv", content=b"phone,area\n13800000009,1\n"
        )
    assert locked.value.code == "roll_locked"
    assert len(roll_of(owners_vote)) == 2


@pytest.mark.django_db
def test_only_staff_see_the_roll_page_and_only_for_owners_votes(
    client, community, worker, resident, owners_vote
):
    url = reverse("owner_roll", args=[community.slug, owners_vote.pk])
    client.force_login(resident)
    assert client.get(url).status_code == 404
    other = make_vote(community, worker)
    client.force_login(worker)
    assert client.get(reverse("owner_roll", args=[community.slug, other.pk])).status_code == 404
    assert client.get(url).status_code == 200


@pytest.mark.django_db
def test_imported_owners_vote_and_each_measure_counts_their_area(community, worker, owners_vote):
    services.owner_roll_import(
        actor=worker, vote=owners_vote, filename="a.csv", content=CSV.encode()
    )
    Vote.objects.in_community(community).filter(pk=owners_vote.pk).update(
        opens_at=timezone.now() - timedelta(minutes=1)
    )
    owners_vote.refresh_from_db()
    owner = User.objects.get(phone="+8613800000001")
    services.ballot_cast(actor=owner, vote=owners_vote, content="yes")
    result = services.results(owners_vote)
    assert result.participation_by_head.part == 1 and result.participation_by_head.whole == 2
    assert result.participation_by_area.part == Decimal("145.75")


@pytest.mark.django_db
def test_the_api_replaces_the_roll_or_lists_every_bad_row(client, community, worker, owners_vote):
    _token, raw = api_token_create(user=worker, name="office")
    auth = {"HTTP_AUTHORIZATION": f"Bearer {raw}"}
    url = f"/api/v1/communities/{community.slug}/votes/{owners_vote.pk}/owners"
    good = {
        "owners": [
            {"phone": "13800000011", "area": "80.5", "name": "赵敏"},
            {"phone": "13800000012", "area": "99"},
        ]
    }
    response = client.put(url, json.dumps(good), content_type="application/json", **auth)
    assert response.status_code == 200, response.content
    assert response.json() == {
        "owners": 2,
        "units": 2,
        "area": "179.50",
        "accounts_created": 2,
    }
    bad = {"owners": [{"phone": "13800000013", "area": "50"}, {"phone": "1", "area": "-3"}]}
    response = client.put(
        url, json.dumps(bad), content_type="application/json", HTTP_ACCEPT_LANGUAGE="en", **auth
    )
    assert response.status_code == 400
    body = response.json()
    assert body["code"] == "rows_rejected" and [r["row"] for r in body["rows"]] == [2]
    assert "not a valid mobile number" in body["rows"][0]["message"]
    assert set(roll_of(owners_vote)) == {"+8613800000011", "+8613800000012"}
