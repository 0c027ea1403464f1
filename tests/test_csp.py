"""Content-Security-Policy and caching (issue 11).

* Every response carries the policy, and it is the strict one: scripts and styles only from our
  own origin, no plugins, no framing, forms post only to us.
* No template, and no page as rendered, holds inline script, an inline event handler, a
  ``javascript:`` URL or inline style (the policy would block them: a button would silently stop
  working). A source scan covers the templates; a crawl of the demo street as a visitor, a
  resident and a community worker covers what views build in Python (and third-party pages we
  link to): the crawl is here, its test in tests/test_demo_street.py, which seeds the street
  once for all the tests that need it.
* Pages for a logged-in user and every download are ``Cache-Control: no-store``; public pages,
  feeds and static files stay cacheable.

The browser journeys (tests/e2e/) fail on any violation Chromium reports; tests/e2e/
test_csp_browser.py checks the pages whose script the policy could break.
"""

from __future__ import annotations

import re
from collections import Counter
from pathlib import Path
from urllib.parse import urljoin, urlsplit

import pytest
from django.conf import settings
from django.test import Client
from django.urls import Resolver404, resolve, reverse

ROOT = Path(__file__).resolve().parent.parent
TEMPLATE_DIRS = [ROOT / "gongzhi" / "templates", *sorted((ROOT / "gongzhi").glob("*/templates"))]

# --- What the policy would block --------------------------------------------------------------

_TAG = r"<[a-zA-Z][^<>]*?"
_CHECKS = [
    ("inline script", re.compile(r"<script\b(?![^>]*\bsrc\s*=)[^>]*>", re.I)),
    ("inline event handler", re.compile(_TAG + r"\son[a-z]+\s*=", re.I)),
    (
        "javascript: URL",
        re.compile(r"""(?:href|src|action|formaction)\s*=\s*["']?\s*javascript:""", re.I),
    ),
    ("style attribute", re.compile(_TAG + r"\sstyle\s*=", re.I)),
    ("style element", re.compile(r"<style\b", re.I)),
]
#: json_script blocks are data, never executed: the policy lets them be.
_DATA_SCRIPT = re.compile(r"""type\s*=\s*["']?application/(?:ld\+)?json""", re.I)


def inline_code(html: str) -> list[str]:
    """What in ``html`` a ``script-src 'self'; style-src 'self'`` policy would refuse."""
    found = []
    for what, pattern in _CHECKS:
        for match in pattern.finditer(html):
            if what == "inline script" and _DATA_SCRIPT.search(match.group(0)):
                continue
            line = html.count("\n", 0, match.start()) + 1
            found.append(f"{what} at line {line}: {match.group(0)[:100]}")
    return found


def template_markup(source: str) -> str:
    """A template's HTML with Django's comments removed and its tags blanked, so that
    ``{% if a > b %}`` or ``{% blocktranslate with one=… %}`` cannot confuse the scan."""
    source = re.sub(r"{%\s*comment\s*%}.*?{%\s*endcomment\s*%}", "", source, flags=re.S)
    source = re.sub(r"{#.*?#}", "", source, flags=re.S)
    source = re.sub(r"{%.*?%}", " ", source, flags=re.S)
    return re.sub(r"{{.*?}}", "x", source, flags=re.S)


def test_the_scan_finds_what_the_policy_blocks():
    bad = [
        "<script>alert(1)</script>",
        '<script type="text/javascript">x()</script>',
        '<button type="button" onclick="window.print()">',
        "<select name=a onchange='this.form.submit()'>",
        '<form method="post" {% if x %}onsubmit="return confirm()"{% endif %}>',
        '<a href="javascript:void(0)">',
        '<img src="x.png" style="max-width:100%">',
        "<style>.a{}</style>",
        '<svg viewBox="0 0 1 1"\n  style="border: 0">',
    ]
    for markup in bad:
        assert inline_code(template_markup(markup)), markup
    fine = [
        '<script src="/static/gongzhi/site.js" defer></script>',
        '<script id="data" type="application/json">{"a": 1}</script>',
        '<p data-locate data-finding="…" class="photo">',
        "{% blocktranslate with online=n %}{{ online }} online{% endblocktranslate %}",
        "<p>Click on=the button; style= is a word here</p>",
        '<a href="/c/x/">javascript: a language</a>',
    ]
    for markup in fine:
        assert not inline_code(template_markup(markup)), markup


def test_no_template_has_inline_script_handlers_or_style():
    templates = [p for d in TEMPLATE_DIRS for p in sorted(d.rglob("*.html"))]
    assert len(templates) > 50, templates  # the scan sees the templates
    offences = [
        f"{path.relative_to(ROOT)}: {found}"
        for path in templates
        for found in inline_code(template_markup(path.read_text(encoding="utf-8")))
    ]
    assert not offences, "\n".join(offences)


# --- The header ---------------------------------------------------------------------------


def directives(response) -> dict[str, list[str]]:
    header = response["Content-Security-Policy"]
    parsed = {}
    for part in header.split(";"):
        words = part.split()
        if words:
            parsed[words[0]] = words[1:]
    return parsed


@pytest.mark.django_db
def test_the_policy_is_strict(client):
    policy = directives(client.get("/"))
    assert policy["default-src"] == ["'self'"]
    assert policy["script-src"] == ["'self'"]
    assert policy["style-src"] == ["'self'"]
    assert policy["object-src"] == ["'none'"]
    assert policy["base-uri"] == ["'self'"]
    assert policy["frame-ancestors"] == ["'none'"]
    assert policy["form-action"] == ["'self'"]
    assert policy["img-src"] == ["'self'", "data:"]
    assert not any("unsafe" in word for words in policy.values() for word in words)


def test_map_tiles_and_extra_image_origins_come_from_the_environment():
    """img-src grows from settings, so a map-tile server needs no code change."""
    import subprocess
    import sys

    code = (
        "import os; os.environ['DJANGO_SETTINGS_MODULE'] = 'tests.settings';"
        "from django.conf import settings;"
        "print(' '.join(settings.CONTENT_SECURITY_POLICY['DIRECTIVES']['img-src']))"
    )
    env = {
        "PATH": "/usr/bin:/bin",
        "MAP_TILE_URL": "https://webrd0{s}.is.autonavi.com/appmaptile?x={x}&y={y}&z={z}",
        "CSP_EXTRA_IMG_SRC": "https://img.example.gov.cn",
    }
    out = subprocess.run(  # noqa: S603 - our own interpreter, our own code
        [sys.executable, "-c", code], env=env, cwd=ROOT, capture_output=True, text=True
    )
    assert out.returncode == 0, out.stderr
    assert out.stdout.split() == [
        "'self'",
        "data:",
        "https://img.example.gov.cn",
        "https://webrd0*.is.autonavi.com",
    ]


@pytest.mark.django_db
def test_the_header_is_on_api_answers_errors_and_the_docs(client):
    for url in ("/api/v1/docs", "/api/v1/openapi.json", "/api/v1/nothing-here", "/no-such-page/"):
        response = client.get(url)
        assert "Content-Security-Policy" in response, url
    docs = client.get("/api/v1/docs").content.decode()
    assert not inline_code(docs), inline_code(docs)  # Swagger UI needs no nonce or exemption


@pytest.mark.django_db
def test_the_admin_has_the_policy_and_no_inline_code(client):
    from allauth.mfa.totp.internal.auth import TOTP

    from tests.conftest import TOTP_SECRET
    from tests.factories import UserFactory

    admin = UserFactory(is_staff=True, is_superuser=True)
    TOTP.activate(admin, TOTP_SECRET)
    client.force_login(admin)
    for url in (
        "/admin/",
        "/admin/core/community/",
        "/admin/core/community/add/",
        "/admin/accounts/user/",
        f"/admin/accounts/user/{admin.pk}/change/",
    ):
        response = client.get(url)
        assert response.status_code == 200, url
        assert "Content-Security-Policy" in response, url
        assert no_store(response), url
        assert not inline_code(response.content.decode()), (
            url,
            inline_code(response.content.decode()),
        )


# --- Caching -----------------------------------------------------------------------------


def no_store(response) -> bool:
    return "no-store" in response.get("Cache-Control", "")


@pytest.mark.django_db
def test_public_pages_feeds_and_static_files_stay_cacheable(client, community, resident):
    for url in (
        "/",
        reverse("community_home", args=[community.slug]),
        reverse("notice_feed_rss", args=[community.slug]),
    ):
        response = client.get(url)
        assert response.status_code == 200, url
        assert not no_store(response), url
    client.force_login(resident)
    static = client.get("/" + settings.STATIC_URL.lstrip("/") + "gongzhi/site.css")
    assert static.status_code == 200
    assert not no_store(static)


@pytest.mark.django_db
def test_pages_for_a_logged_in_user_are_no_store(client, community, resident):
    client.force_login(resident)
    for url in ("/", reverse("profile"), reverse("community_home", args=[community.slug])):
        response = client.get(url)
        assert response.status_code == 200, url
        assert no_store(response), (url, response.get("Cache-Control"))
        assert "private" in response["Cache-Control"]


@pytest.mark.django_db
def test_api_answers_to_a_token_are_no_store(client, resident):
    from gongzhi.accounts.services import api_token_create

    token = api_token_create(user=resident, name="phone")[1]
    response = client.get("/api/v1/me", HTTP_AUTHORIZATION=f"Bearer {token}")
    assert response.status_code == 200
    assert no_store(response)


# --- The crawl: every page the demo street links to (tests/test_demo_street.py) ----------

#: Each export, and the page that links to it; the crawl must reach every one.
EXPORTS = {
    "member_list",  # ?format=csv
    "hotline_stats_export",
    "finance_period_export",
    "opinion_export",
    "budget_export",
}
PER_PATTERN = 1  # pages per URL pattern, set of query keys and community: each template once
MAX_PAGES = 500


def _links(html: str) -> list[str]:
    return re.findall(r"""href\s*=\s*["']([^"'#]+)""", html)


def crawl(client: Client, starts: list[str]) -> list[tuple[str, str | None, object]]:
    """GET every internal link reachable from ``starts``, a few per URL pattern."""
    seen_urls: set[str] = set()
    per_key: Counter[tuple] = Counter()
    queue = list(starts)
    pages = []
    while queue and len(pages) < MAX_PAGES:
        parts = urlsplit(queue.pop(0).replace("&amp;", "&"))
        if parts.scheme not in ("", "http") or parts.netloc not in ("", "testserver"):
            continue
        url = parts.path + (f"?{parts.query}" if parts.query else "")
        if url in seen_urls:
            continue
        path = parts.path
        if path.startswith(("/static/", "/media/", "/admin/", "/accounts/logout")):
            continue
        try:
            match = resolve(path)
        except Resolver404:
            continue
        name = match.url_name
        query_keys = tuple(sorted(k.split("=")[0] for k in parts.query.split("&") if k))
        key = (name, query_keys, match.kwargs.get("slug"))
        if per_key[key] >= PER_PATTERN:
            continue
        per_key[key] += 1
        seen_urls.add(url)
        response = client.get(url)
        pages.append((url, name, response))
        content_type = response.get("Content-Type", "")
        if response.status_code == 200 and content_type.startswith("text/html"):
            queue.extend(urljoin(url, link) for link in _links(response.content.decode()))
    return pages


def test_every_heat_map_shade_has_its_class():
    """The statistics' heat map shades cells by class (feedback/stats_views.py): each class
    it can write is in the stylesheet."""
    css = (ROOT / "gongzhi" / "static" / "gongzhi" / "site.css").read_text(encoding="utf-8")
    for shade in range(5, 101, 5):
        assert f".heat-{shade} {{" in css, shade
    assert ".heat-ink {" in css
