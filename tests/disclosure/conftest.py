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


@pytest.fixture(autouse=True)
def _ledger_flushable(request):
    """Transactional tests end with a flush that the ledger's no-delete triggers refuse."""
    if not {"transactional_db", "live_server"} & set(request.fixturenames) and not any(
        mark.kwargs.get("transaction") for mark in request.node.iter_markers("django_db")
    ):
        yield
        return
    request.getfixturevalue("transactional_db")
    yield
    from tests.disclosure.helpers import purge_ledger

    purge_ledger()
