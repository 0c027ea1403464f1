"""Open311 GeoReport v2 (http://wiki.open311.org/GeoReport_v2): every documented field with its
type, in JSON and XML; the error format; creating a request through the hotline's services and
reading it back; the filters; bad input answered in the error format with nothing saved."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET  # noqa: S405 - parsing our own answers in tests
from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest
import time_machine
from django.test import Client

from gongzhi.accounts.services import api_token_create, api_token_revoke
from gongzhi.core.models import Activity, Role
from gongzhi.feedback import services
from gongzhi.feedback.models import Ticket, TicketEvent
from tests.factories import UserFactory, member

BASE = "/open311/v2/"

SERVICE_FIELDS = {
    "service_code": str,
    "service_name": str,
    "description": str,
    "metadata": bool,
    "type": str,
    "keywords": str,
    "group": str,
}
REQUEST_FIELDS = [
    "service_request_id",
    "status",
    "status_notes",
    "service_name",
    "service_code",
    "description",
    "agency_responsible",
    "service_notice",
    "requested_datetime",
    "updated_datetime",
    "expected_datetime",
    "address",
    "address_id",
    "zipcode",
    "lat",
    "long",
    "media_url",
]


@pytest.fixture
def client():
    return Client(HTTP_ACCEPT_LANGUAGE="en")


@pytest.fixture
def key(resident):
    return api_token_create(user=resident, name="open311 app")[1]


@pytest.fixture
def worker_key(worker):
    return api_token_create(user=worker, name="call centre")[1]


def w3(value: str) -> datetime:
    """A w3 date-time with its zone, as the specification requires."""
    parsed = datetime.fromisoformat(value)
    assert parsed.tzinfo is not None, value
    return parsed


def same_second(value: str, when: datetime) -> bool:
    return w3(value) == when.replace(microsecond=0)


def get(client, path, **params):
    return client.get(BASE + path, params)


def post(client, fmt="json", **data):
    return client.post(BASE + f"requests.{fmt}", data)


def xml_of(response):
    assert response["Content-Type"] == "text/xml; charset=utf-8"
    body = response.content.decode("utf-8")
    assert body.startswith('<?xml version="1.0" encoding="utf-8"?>')
    return ET.fromstring(body)  # noqa: S314 - our own answer


def json_of(response):
    assert response["Content-Type"] == "application/json; charset=utf-8"
    return json.loads(response.content.decode("utf-8"))


def assert_error(response, status, fmt="json", contains=""):
    assert response.status_code == status
    if fmt == "json":
        body = json_of(response)
        assert isinstance(body, list) and body
        for error in body:
            assert set(error) == {"code", "description"}
            assert error["code"] == status
            assert isinstance(error["description"], str) and error["description"]
        assert contains in body[0]["description"]
    else:
        root = xml_of(response)
        assert root.tag == "errors"
        errors = root.findall("error")
        assert errors
        assert errors[0].findtext("code") == str(status)
        assert contains in errors[0].findtext("description")


@pytest.fixture
def public_ticket(community, resident, categories, department, building):
    ticket = services.ticket_file(
        actor=resident,
        community=community,
        text="3号楼电梯坏了，卡在五楼不动",
        category="elevator",
        building=building,
        unit="2单元501",
        latitude="31.234567",
        longitude="121.456789",
        is_public=True,
    )
    return ticket


# --- Services -------------------------------------------------------------------------------


def test_service_list_json_has_every_field(client, community, categories, department):
    response = get(client, "services.json", jurisdiction_id=community.slug)
    assert response.status_code == 200
    services_ = json_of(response)
    assert [s["service_code"] for s in services_] == list(categories)
    for service in services_:
        assert set(service) == set(SERVICE_FIELDS)
        for field, kind in SERVICE_FIELDS.items():
            assert isinstance(service[field], kind), field
        assert service["metadata"] is False
        assert service["type"] == "realtime"
    elevator = next(s for s in services_ if s["service_code"] == "elevator")
    assert elevator["service_name"] == categories["elevator"].name
    assert elevator["group"] == department.name


def test_service_list_xml_parses_with_every_field(client, community, categories):
    root = xml_of(get(client, "services.xml", jurisdiction_id=community.slug))
    assert root.tag == "services"
    items = root.findall("service")
    assert len(items) == len(categories)
    for item in items:
        assert [child.tag for child in item] == list(SERVICE_FIELDS)
        assert item.findtext("metadata") == "false"
        assert item.findtext("type") == "realtime"
    assert items[0].findtext("service_code") == next(iter(categories))


def test_service_list_hides_inactive_categories(client, community, categories):
    categories["dogs"].active = False
    categories["dogs"].save()
    codes = [
        s["service_code"]
        for s in json_of(get(client, "services.json", jurisdiction_id=community.slug))
    ]
    assert "dogs" not in codes and "elevator" in codes


def test_service_definition_has_empty_attributes(client, community, categories):
    body = json_of(get(client, "services/elevator.json", jurisdiction_id=community.slug))
    assert body == {"service_code": "elevator", "attributes": []}
    root = xml_of(get(client, "services/elevator.xml", jurisdiction_id=community.slug))
    assert root.tag == "service_definition"
    assert root.findtext("service_code") == "elevator"
    assert root.find("attributes") is not None and len(root.find("attributes")) == 0


@pytest.mark.parametrize("fmt", ["json", "xml"])
def test_unknown_service_definition_is_404(client, community, categories, fmt):
    response = get(client, f"services/potholes.{fmt}", jurisdiction_id=community.slug)
    assert_error(response, 404, fmt, "potholes")


@pytest.mark.parametrize("fmt", ["json", "xml"])
def test_jurisdiction_missing_is_400_and_unknown_is_404(client, community, categories, fmt):
    assert_error(get(client, f"services.{fmt}"), 400, fmt, "jurisdiction_id")
    assert_error(get(client, f"services.{fmt}", jurisdiction_id="nowhere"), 404, fmt, "nowhere")
    assert_error(get(client, f"requests.{fmt}"), 400, fmt, "jurisdiction_id")


def test_errors_are_in_the_callers_language(community, categories):
    response = Client(HTTP_ACCEPT_LANGUAGE="zh-hans").get(BASE + "services.json")
    assert response.status_code == 400
    english = Client(HTTP_ACCEPT_LANGUAGE="en").get(BASE + "services.json")
    assert json_of(english)[0]["description"].startswith("jurisdiction_id was not provided")
    # The Chinese catalogue is filled by the lead at the end; the text must come through gettext.
    assert json_of(response)[0]["description"]


def test_discovery(client):
    body = json_of(get(client, "discovery.json"))
    assert set(body) == {"changeset", "contact", "key_service", "endpoints"}
    w3(body["changeset"])
    [endpoint] = body["endpoints"]
    assert endpoint["specification"] == "http://wiki.open311.org/GeoReport_v2"
    assert endpoint["url"] == "http://testserver/open311/v2/"
    assert endpoint["formats"] == ["text/xml", "application/json"]
    root = xml_of(get(client, "discovery.xml"))
    assert [f.text for f in root.find("endpoints/endpoint/formats")] == [
        "text/xml",
        "application/json",
    ]


def test_unknown_resources_answer_in_the_error_format(client, community):
    assert_error(get(client, "tokens/123.json", jurisdiction_id=community.slug), 404, "json")
    assert_error(get(client, "nothing.xml"), 404, "xml")
    assert_error(get(client, ""), 404, "xml")
    response = client.delete(BASE + "services.json")
    assert_error(response, 405, "json")


# --- Requests: the fields ----------------------------------------------------------------------


def test_request_json_has_every_field_with_its_type(client, community, public_ticket, building):
    [item] = json_of(get(client, "requests.json", jurisdiction_id=community.slug))
    assert list(item) == REQUEST_FIELDS
    assert item["service_request_id"] == public_ticket.number
    assert item["status"] == "open"
    assert item["service_code"] == "elevator"
    assert item["service_name"] == public_ticket.category.name
    assert item["description"] == "3号楼电梯坏了，卡在五楼不动"
    assert item["agency_responsible"] == "物业服务中心"
    assert isinstance(item["service_notice"], str) and "hours" in item["service_notice"]
    assert same_second(item["requested_datetime"], public_ticket.created_at)
    assert same_second(item["updated_datetime"], public_ticket.updated_at)
    assert same_second(item["expected_datetime"], public_ticket.resolve_by)
    assert item["address"] == building.name
    assert item["address_id"] == building.pk
    assert item["zipcode"] is None
    # The map point is coarse in public (about 100 m): where, not whose door.
    assert item["lat"] == 31.235 and item["long"] == 121.457
    assert item["media_url"] is None
    text = json.dumps(item, ensure_ascii=False)
    assert "2单元501" not in text and public_ticket.reporter.display_name not in text
    assert public_ticket.reporter.phone not in text


def test_request_xml_has_every_field(client, community, public_ticket):
    root = xml_of(get(client, "requests.xml", jurisdiction_id=community.slug))
    assert root.tag == "service_requests"
    [item] = root.findall("request")
    assert [child.tag for child in item] == REQUEST_FIELDS
    assert item.findtext("service_request_id") == str(public_ticket.number)
    assert item.findtext("status") == "open"
    assert item.find("zipcode").text is None  # an empty element
    w3(item.findtext("requested_datetime"))
    assert float(item.findtext("lat")) == 31.235


def test_xml_escapes_text(client, community, resident, categories):
    services.ticket_file(
        actor=resident,
        community=community,
        text='路灯 <b>坏了</b> & "没人管" ]]>',
        category="property_repair",
        is_public=True,
    )
    root = xml_of(get(client, "requests.xml", jurisdiction_id=community.slug))
    assert root.findtext("request/description") == '路灯 <b>坏了</b> & "没人管" ]]>'


def test_one_request_and_private_ones_are_missing(client, community, public_ticket, resident):
    body = json_of(
        get(client, f"requests/{public_ticket.number}.json", jurisdiction_id=community.slug)
    )
    assert [r["service_request_id"] for r in body] == [public_ticket.number]
    assert list(body[0]) == REQUEST_FIELDS
    root = xml_of(
        get(client, f"requests/{public_ticket.number}.xml", jurisdiction_id=community.slug)
    )
    assert root.findtext("request/service_request_id") == str(public_ticket.number)
    private = services.ticket_file(
        actor=resident, community=community, text="家门口漏水", category="utilities"
    )
    for number in (private.number, 9999, "abc"):
        response = get(client, f"requests/{number}.json", jurisdiction_id=community.slug)
        assert_error(response, 404, "json")
    listed = json_of(get(client, "requests.json", jurisdiction_id=community.slug))
    assert [r["service_request_id"] for r in listed] == [public_ticket.number]


def test_status_is_closed_once_resolved_with_the_answer_as_notes(
    client, community, public_ticket, handler
):
    services.ticket_accept(actor=handler, ticket=public_ticket)
    services.ticket_resolve(actor=handler, ticket=public_ticket, note="已更换电梯主板")
    [item] = json_of(
        get(client, f"requests/{public_ticket.number}.json", jurisdiction_id=community.slug)
    )
    assert item["status"] == "closed"
    assert item["status_notes"] == "已更换电梯主板"
    services.ticket_rate(
        actor=public_ticket.reporter, ticket=public_ticket, solved=True, satisfaction=5
    )
    public_ticket.refresh_from_db()
    [item] = json_of(
        get(client, f"requests/{public_ticket.number}.json", jurisdiction_id=community.slug)
    )
    assert item["status"] == "closed"
    assert same_second(item["updated_datetime"], public_ticket.closed_at)


# --- Creating ---------------------------------------------------------------------------------


def test_create_round_trip_json(client, community, resident, key, categories, department):
    before = Activity.objects.in_community(community).count()
    response = post(
        client,
        api_key=key,
        jurisdiction_id=community.slug,
        service_code="elevator",
        lat="31.2",
        long="121.4",
        description="电梯按钮失灵",
        email="someone@example.com",
        first_name="John",
        device_id="abc",
    )
    assert response.status_code == 200, response.content
    [created] = json_of(response)
    assert set(created) == {"service_request_id", "service_notice", "account_id"}
    assert created["account_id"] is None
    assert "4 hours" in created["service_notice"] and "2 days" in created["service_notice"]
    ticket = Ticket.objects.in_community(community).get(number=created["service_request_id"])
    # Filed through the hotline's services: category chosen, department, deadlines, timeline,
    # journal, the reporter following it.
    assert ticket.reporter == resident and ticket.category.code == "elevator"
    assert ticket.routing == "chosen" and ticket.department == department
    assert ticket.respond_by == ticket.created_at + timedelta(hours=4)
    assert ticket.latitude == Decimal("31.200000") and ticket.is_public
    assert TicketEvent.objects.in_community(community).filter(ticket=ticket, kind="filed").exists()
    assert Activity.objects.in_community(community).count() == before + 1
    assert "someone@example.com" not in ticket.text and "John" not in ticket.text
    [read] = json_of(get(client, f"requests/{ticket.number}.json", jurisdiction_id=community.slug))
    assert read["description"] == "电梯按钮失灵" and read["status"] == "open"
    assert read["lat"] == 31.2 and read["service_code"] == "elevator"


def test_create_xml_with_address_and_media(client, community, resident, key, categories, building):
    response = post(
        client,
        "xml",
        api_key=key,
        jurisdiction_id=community.slug,
        service_code="sanitation",
        address_string=building.name,
        media_url="https://example.com/p/1.jpg",
    )
    assert response.status_code == 200, response.content
    root = xml_of(response)
    assert root.tag == "service_requests"
    item = root.find("request")
    assert [c.tag for c in item] == ["service_request_id", "service_notice", "account_id"]
    ticket = Ticket.objects.in_community(community).get(
        number=int(item.findtext("service_request_id"))
    )
    assert ticket.building == building and ticket.unit == ""
    # No description: the service's name is the text; the media address is kept, never fetched.
    assert ticket.text.startswith(categories["sanitation"].name)
    assert "https://example.com/p/1.jpg" in ticket.text


def test_create_with_address_id_and_free_address(client, community, key, categories, building):
    by_id = json_of(
        post(
            client,
            api_key=key,
            jurisdiction_id=community.slug,
            service_code="noise",
            address_id=building.pk,
        )
    )
    assert (
        Ticket.objects.in_community(community).get(number=by_id[0]["service_request_id"]).building
        == building
    )
    free = json_of(
        post(
            client,
            api_key=key,
            jurisdiction_id=community.slug,
            service_code="noise",
            address_string="小区东门",
            description="夜里施工很吵",
        )
    )
    ticket = Ticket.objects.in_community(community).get(number=free[0]["service_request_id"])
    assert ticket.building is None and ticket.unit == "小区东门"


def test_private_extension(client, community, key, categories):
    [created] = json_of(
        post(
            client,
            api_key=key,
            jurisdiction_id=community.slug,
            service_code="noise",
            lat="31",
            long="121",
            is_public="false",
        )
    )
    assert (
        not Ticket.objects.in_community(community)
        .get(number=created["service_request_id"])
        .is_public
    )
    assert json_of(get(client, "requests.json", jurisdiction_id=community.slug)) == []


def test_worker_files_for_a_resident_by_phone(
    client, community, worker, worker_key, resident, categories
):
    [created] = json_of(
        post(
            client,
            api_key=worker_key,
            jurisdiction_id=community.slug,
            service_code="elderly_services",
            address_string="社区服务站",
            phone=resident.phone,
            description="独居老人需要送餐",
        )
    )
    ticket = Ticket.objects.in_community(community).get(number=created["service_request_id"])
    assert ticket.reporter == resident and ticket.filed_by == worker
    # A resident's key cannot file for someone else: the phone is not stored, the ticket is theirs.
    other = member(community)
    key = api_token_create(user=other, name="x")[1]
    [created] = json_of(
        post(
            client,
            api_key=key,
            jurisdiction_id=community.slug,
            service_code="noise",
            lat="31",
            long="121",
            phone=resident.phone,
        )
    )
    assert (
        Ticket.objects.in_community(community).get(number=created["service_request_id"]).reporter
        == other
    )


# --- Bad input: the error format, nothing saved -------------------------------------------------


@pytest.mark.parametrize(
    ("fields", "status", "contains"),
    [
        ({"service_code": ""}, 400, "service_code"),
        ({"service_code": "potholes"}, 404, "potholes"),
        ({"lat": "north", "long": "121"}, 400, "lat"),
        ({"lat": "31.2", "long": ""}, 400, "lat"),
        ({"lat": "95", "long": "121"}, 400, "-90"),
        ({"lat": "NaN", "long": "121"}, 400, "lat"),
        ({"lat": "", "long": "", "address_string": "", "address_id": ""}, 400, "location"),
        ({"lat": "", "long": "", "address_id": "999999"}, 404, "address_id"),
        ({"lat": "", "long": "", "address_string": "x" * 61}, 400, "address_string"),
        ({"description": "长" * 2001}, 400, "description"),
        ({"description": "   ", "media_url": "javascript:alert(1)"}, 400, "media_url"),
        ({"jurisdiction_id": ""}, 400, "jurisdiction_id"),
        ({"jurisdiction_id": "nowhere"}, 404, "nowhere"),
    ],
)
@pytest.mark.parametrize("fmt", ["json", "xml"])
def test_bad_create_changes_nothing(
    client, community, key, categories, fields, status, contains, fmt
):
    data = {
        "api_key": key,
        "jurisdiction_id": community.slug,
        "service_code": "elevator",
        "lat": "31.2",
        "long": "121.4",
        "description": "电梯坏了",
        **fields,
    }
    before = Ticket.objects.all_communities().count(), Activity.objects.all_communities().count()
    response = post(client, fmt, **data)
    assert_error(response, status, fmt, contains)
    after = Ticket.objects.all_communities().count(), Activity.objects.all_communities().count()
    assert after == before


@pytest.mark.parametrize("fmt", ["json", "xml"])
def test_bad_api_key_is_403_and_changes_nothing(client, community, resident, key, categories, fmt):
    data = {
        "jurisdiction_id": community.slug,
        "service_code": "elevator",
        "lat": "31",
        "long": "121",
    }
    assert_error(post(client, fmt, **data), 403, fmt, "api_key")
    assert_error(post(client, fmt, api_key="gz_not-a-key", **data), 403, fmt, "api_key")
    api_token_revoke(user=resident, token_id=resident.api_tokens.get().pk)
    assert_error(post(client, fmt, api_key=key, **data), 403, fmt, "api_key")
    # A session is not a key: Open311 writes never read cookies.
    client.force_login(resident)
    assert_error(post(client, fmt, **data), 403, fmt, "api_key")
    assert Ticket.objects.all_communities().count() == 0


def test_key_of_someone_outside_the_community_is_403(client, community, categories):
    key = api_token_create(user=UserFactory(), name="x")[1]
    response = post(
        client,
        api_key=key,
        jurisdiction_id=community.slug,
        service_code="noise",
        lat="31",
        long="121",
    )
    assert_error(response, 403)
    assert Ticket.objects.all_communities().count() == 0


def test_staff_key_without_two_factor_is_refused(client, community, categories):
    staff = member(community, Role.COMMUNITY_WORKER)  # no TOTP
    key = api_token_create(user=staff, name="x")[1]
    response = post(
        client,
        api_key=key,
        jurisdiction_id=community.slug,
        service_code="noise",
        lat="31",
        long="121",
    )
    assert_error(response, 403, contains="two-factor")
    assert Ticket.objects.all_communities().count() == 0


def test_unknown_resident_phone_for_a_worker_changes_nothing(
    client, community, worker_key, categories
):
    response = post(
        client,
        api_key=worker_key,
        jurisdiction_id=community.slug,
        service_code="noise",
        lat="31",
        long="121",
        phone="+8613000000999",
    )
    assert_error(response, 400, contains="phone")
    assert Ticket.objects.all_communities().count() == 0


def test_daily_limit_is_429(client, community, key, categories, settings):
    from gongzhi.feedback import services as hotline

    data = {
        "api_key": key,
        "jurisdiction_id": community.slug,
        "service_code": "noise",
        "lat": "31",
        "long": "121",
    }
    for _ in range(hotline.FILINGS_PER_DAY):
        assert post(client, **data).status_code == 200
    assert_error(post(client, **data), 429)
    assert Ticket.objects.in_community(community).count() == hotline.FILINGS_PER_DAY


# --- Query filters -------------------------------------------------------------------------------


@pytest.fixture
def history(community, resident, categories, handler):
    """Public tickets on known days (Shanghai time), one private, one resolved."""
    made = {}
    for day, code in [(1, "elevator"), (10, "noise"), (20, "elevator"), (40, "parking")]:
        at = datetime(2025, 3, 1, 2, 0, tzinfo=UTC) + timedelta(days=day - 1)
        with time_machine.travel(at, tick=False):
            made[day] = services.ticket_file(
                actor=resident,
                community=community,
                text=f"第{day}天的问题",
                category=code,
                is_public=True,
            )
    with time_machine.travel(datetime(2025, 3, 11, 2, 0, tzinfo=UTC), tick=False):
        services.ticket_file(actor=resident, community=community, text="私人问题", category="noise")
        services.ticket_accept(actor=handler, ticket=made[1])
        services.ticket_resolve(actor=handler, ticket=made[1], note="修好了")
    return made


def numbers(response):
    return [r["service_request_id"] for r in json_of(response)]


def test_default_window_is_the_last_90_days(client, community, history):
    with time_machine.travel(datetime(2025, 6, 1, tzinfo=UTC), tick=False):
        got = numbers(get(client, "requests.json", jurisdiction_id=community.slug))
    # 90 days back from 1 June is 3 March: the tickets of 10 and 20 March and of 9 April.
    assert got == [history[40].number, history[20].number, history[10].number]


def test_filters(client, community, history):
    q = {"jurisdiction_id": community.slug}
    window = {"start_date": "2025-03-01T00:00:00Z", "end_date": "2025-05-01T00:00:00+08:00"}
    everything = [history[d].number for d in (40, 20, 10, 1)]
    assert numbers(get(client, "requests.json", **q, **window)) == everything
    assert numbers(get(client, "requests.json", **q, **window, service_code="elevator")) == [
        history[20].number,
        history[1].number,
    ]
    assert numbers(
        get(client, "requests.json", **q, **window, service_code="elevator,parking")
    ) == [
        history[40].number,
        history[20].number,
        history[1].number,
    ]
    assert numbers(get(client, "requests.json", **q, **window, status="closed")) == [
        history[1].number
    ]
    assert numbers(get(client, "requests.json", **q, **window, status="open")) == everything[:3]
    assert numbers(get(client, "requests.json", **q, **window, status="open,closed")) == everything
    # start alone: 90 days from it; the dates compare instants (Z and +08:00 alike).
    assert numbers(get(client, "requests.json", **q, start_date="2025-03-10T10:00:00+08:00")) == [
        history[40].number,
        history[20].number,
        history[10].number,
    ]
    assert numbers(get(client, "requests.json", **q, end_date="2025-03-10T10:00:00+08:00")) == [
        history[10].number,
        history[1].number,
    ]
    # service_request_id overrides the rest (and never shows a private ticket).
    private = Ticket.objects.in_community(community).get(is_public=False).number
    ids = f"{history[1].number},{history[40].number},{private}"
    assert numbers(get(client, "requests.json", **q, service_request_id=ids, status="open")) == [
        history[40].number,
        history[1].number,
    ]


def test_paging(client, community, history):
    q = {
        "jurisdiction_id": community.slug,
        "start_date": "2025-03-01T00:00:00Z",
        "end_date": "2025-05-01T00:00:00Z",
    }
    pages = [numbers(get(client, "requests.json", **q, page_size=3, page=p)) for p in (1, 2, 3)]
    assert pages == [[history[d].number for d in (40, 20, 10)], [history[1].number], []]


@pytest.mark.parametrize(
    ("params", "contains"),
    [
        ({"start_date": "yesterday"}, "start_date"),
        ({"start_date": "2025-03-01T00:00:00"}, "time zone"),
        ({"end_date": "2025-13-01T00:00:00Z"}, "end_date"),
        ({"start_date": "2025-03-02T00:00:00Z", "end_date": "2025-03-01T00:00:00Z"}, "before"),
        ({"start_date": "2025-01-01T00:00:00Z", "end_date": "2025-06-01T00:00:00Z"}, "90 days"),
        ({"status": "pending"}, "status"),
        ({"service_request_id": "1,x"}, "service_request_id"),
        ({"page_size": "1001"}, "page_size"),
        ({"page": "0"}, "page"),
    ],
)
@pytest.mark.parametrize("fmt", ["json", "xml"])
def test_bad_query_is_400(client, community, history, params, contains, fmt):
    response = get(client, f"requests.{fmt}", jurisdiction_id=community.slug, **params)
    assert_error(response, 400, fmt, contains)


def test_other_communities_requests_are_not_listed(client, community, other_community, history):
    assert (
        json_of(
            get(
                client,
                "requests.json",
                jurisdiction_id=other_community.slug,
                start_date="2025-03-01T00:00:00Z",
            )
        )
        == []
    )
    response = get(
        client, f"requests/{history[1].number}.json", jurisdiction_id=other_community.slug
    )
    assert_error(response, 404)


def test_query_count_is_bounded(
    client, community, resident, categories, django_assert_max_num_queries
):
    for index in range(12):
        services.ticket_file(
            actor=resident,
            community=community,
            text=f"问题{index}",
            category="noise",
            is_public=True,
        )
    with django_assert_max_num_queries(4):
        assert len(json_of(get(client, "requests.json", jurisdiction_id=community.slug))) == 12
