"""The production static storage (WhiteNoise's compressed manifest) rewrites every reference a
CSS or JS file makes, and refuses one to a file that is not there: collectstatic must pass."""

from __future__ import annotations

from django.core.management import call_command
from django.test import override_settings


def test_collectstatic_with_the_production_storage(tmp_path) -> None:
    storages = {
        "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
        "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
    }
    with override_settings(STATIC_ROOT=tmp_path / "static", STORAGES=storages):
        call_command("collectstatic", interactive=False, verbosity=0)
    manifest = (tmp_path / "static" / "staticfiles.json").read_text()
    assert "vendor/leaflet/leaflet.js" in manifest
