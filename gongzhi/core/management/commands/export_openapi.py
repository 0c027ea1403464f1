"""Write the API's OpenAPI document to docs/openapi.json (committed; a test compares)."""

from __future__ import annotations

import json
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand

OPENAPI_PATH = Path(settings.BASE_DIR) / "docs" / "openapi.json"


def render_openapi() -> str:
    from django.utils import translation

    from gongzhi.api import api

    with translation.override("en"):
        schema = api.get_openapi_schema(path_prefix="/api/v1/")
    return json.dumps(schema, indent=2, ensure_ascii=False, sort_keys=True) + "\n"


class Command(BaseCommand):
    help = "Write docs/openapi.json from the API's code."

    def add_arguments(self, parser):
        parser.add_argument("--check", action="store_true", help="fail if the file is stale")

    def handle(self, *args, **options):
        text = render_openapi()
        if options["check"]:
            current = OPENAPI_PATH.read_text(encoding="utf-8") if OPENAPI_PATH.exists() else ""
            if current != text:
                raise SystemExit("docs/openapi.json is stale: run `manage.py export_openapi`")
            self.stdout.write("docs/openapi.json is up to date")
            return
        OPENAPI_PATH.write_text(text, encoding="utf-8")
        self.stdout.write(f"wrote {OPENAPI_PATH}")
