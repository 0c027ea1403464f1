"""A manifest storage that gives a file missing from the manifest its plain URL, as DEBUG=1 does,
instead of failing the whole page (see bench/settings.py)."""

from __future__ import annotations

from whitenoise.storage import CompressedManifestStaticFilesStorage


class LenientManifestStorage(CompressedManifestStaticFilesStorage):
    _missing: set[str] = set()

    def stored_name(self, name: str) -> str:
        if name in self._missing:
            return name
        try:
            return super().stored_name(name)
        except ValueError:
            self._missing.add(name)
            return name
