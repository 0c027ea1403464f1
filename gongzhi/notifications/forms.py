"""The notification settings form: an e-mail and an SMS box for each kind a person receives,
only for the channels they have an address for."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from gongzhi.notifications.kinds import DEFAULT_CHANNELS, areas_for
from gongzhi.notifications.models import Channel

CHANNEL_LABELS: dict[str, Any] = {Channel.EMAIL: _("e-mail"), Channel.SMS: _("SMS")}


@dataclass(frozen=True)
class Row:
    kind: str
    label: Any
    boxes: list[forms.BoundField]


@dataclass(frozen=True)
class Section:
    label: Any
    rows: list[Row]


def channels_of(user: Any) -> list[str]:
    """The outside channels a person can be reached on: e-mail with an address, SMS with a
    phone number. In-app is always on and not a choice."""
    return [
        channel
        for channel, address in ((Channel.EMAIL, user.email), (Channel.SMS, user.phone))
        if address
    ]


class ChannelPreferencesForm(forms.Form):
    def __init__(
        self, *args: Any, user: Any, stored: dict[tuple[str, str], bool], **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.channels = channels_of(user)
        self.sections: list[tuple[Any, list[tuple[str, Any]]]] = []
        for area in areas_for(user):
            entries = []
            for code, kind in area.kinds.items():
                entries.append((code, kind.label))
                for channel in self.channels:
                    self.fields[f"{code}__{channel}"] = forms.BooleanField(
                        label=f"{kind.label} — {CHANNEL_LABELS[channel]}",
                        required=False,
                        initial=stored.get((code, channel), DEFAULT_CHANNELS[channel]),
                    )
            self.sections.append((area.label, entries))

    def grouped(self) -> list[Section]:
        """The boxes by area and kind, for a table with one column per channel."""
        return [
            Section(
                label,
                [
                    Row(code, kind_label, [self[f"{code}__{ch}"] for ch in self.channels])
                    for code, kind_label in entries
                ],
            )
            for label, entries in self.sections
        ]

    def choices(self) -> list[tuple[str, str, bool]]:
        """``(kind, channel, enabled)`` for every box shown."""
        return [
            (*name.split("__", 1), bool(value))  # type: ignore[misc]
            for name, value in self.cleaned_data.items()
        ]
