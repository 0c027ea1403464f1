"""The notification settings form: one row for each kind a person receives, with a column for
each channel: in the app (always on, shown checked and not a choice), then e-mail and SMS boxes
only for the channels the account has an address for."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django import forms
from django.utils.translation import gettext as _

from gongzhi.notifications.kinds import DEFAULT_CHANNELS, areas_for
from gongzhi.notifications.models import Channel


def box_label(kind_label: Any, channel: str) -> str:
    """What a screen reader says for one box: the kind and the channel (the table's row and
    column headers, which a box alone does not carry)."""
    if channel == Channel.IN_APP:
        return _("%(kind)s: in the app, always on") % {"kind": kind_label}
    return _("%(kind)s: %(channel)s") % {"kind": kind_label, "channel": Channel(channel).label}


@dataclass(frozen=True)
class Row:
    kind: str
    label: Any
    #: The aria-label of the (always checked, disabled) in-app box.
    in_app_label: str
    #: One box per outside channel offered, in the order of the form's ``channels``.
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
                    label = box_label(kind.label, channel)
                    self.fields[f"{code}__{channel}"] = forms.BooleanField(
                        label=label,
                        required=False,
                        initial=stored.get((code, channel), DEFAULT_CHANNELS[channel]),
                        widget=forms.CheckboxInput(attrs={"aria-label": label}),
                    )
            self.sections.append((area.label, entries))

    def grouped(self) -> list[Section]:
        """The boxes by area and kind, for a table with one row per kind and one column per
        channel."""
        return [
            Section(
                label,
                [
                    Row(
                        code,
                        kind_label,
                        box_label(kind_label, Channel.IN_APP),
                        [self[f"{code}__{ch}"] for ch in self.channels],
                    )
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
