"""Fixtures of the hotline's tests: a community with the default categories, a department
with a handler, and a helper that files a ticket."""

from __future__ import annotations

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from gongzhi.feedback import routing, services
from gongzhi.feedback.models import Category
from tests.factories import BuildingFactory, member


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path / "media")


@pytest.fixture(autouse=True)
def _fresh_router_cache():
    routing.forget()
    yield
    routing.forget()


@pytest.fixture
def categories(community):
    return {c.code: c for c in services.categories_install_defaults(community=community)}


@pytest.fixture
def department(community, categories):
    department = services.department_create(actor=None, community=community, name="物业服务中心")
    for code in ("property_repair", "elevator", "utilities", "sanitation"):
        Category.objects.in_community(community).filter(code=code).update(department=department)
    return department


@pytest.fixture
def handler(community, department):
    user = member(community, display_name="维修师傅")
    services.handler_add(actor=None, department=department, user=user)
    return user


@pytest.fixture
def building(community):
    return BuildingFactory(community=community, name="3号楼")


@pytest.fixture
def file_ticket(community, categories):
    def file(actor, text="3号楼电梯坏了，卡在五楼不动，老人下不了楼", **kwargs):
        return services.ticket_file(actor=actor, community=community, text=text, **kwargs)

    return file


def png(name="photo.png"):
    buffer = io.BytesIO()
    Image.new("RGB", (40, 30), (200, 30, 30)).save(buffer, format="PNG")
    return SimpleUploadedFile(name, buffer.getvalue(), content_type="image/png")
