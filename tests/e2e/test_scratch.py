import pytest
@pytest.mark.browser
def test_css(new_context, e2e):
    page = new_context("phone").new_page()
    resp = []
    page.on("response", lambda r: resp.append((r.url, r.status)))
    page.on("console", lambda m: print("console", m.text))
    page.goto("/")
    print(resp)
    print(page.content()[:800])
