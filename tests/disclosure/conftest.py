import pytest


@pytest.fixture(autouse=True)
def _in_english(client):
    from django.utils import translation

    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    with translation.override("en"):
        yield


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path / "media")


@pytest.fixture
def approver(community):
    from tests.disclosure.helpers import second_worker

    return second_worker(community)
