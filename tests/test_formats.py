"""A date a form fills in shows in an ``<input type="date">`` in Chinese too: the browser takes
only YYYY-MM-DD, and Django's zh-Hans formats would write 2026/01/01 (gongzhi/formats)."""

from datetime import date, datetime
from zoneinfo import ZoneInfo

from django import forms
from django.utils import translation


class _Form(forms.Form):
    day = forms.DateField(widget=forms.DateInput(attrs={"type": "date"}))
    at = forms.DateTimeField(widget=forms.DateTimeInput(attrs={"type": "datetime-local"}))


def test_dates_render_as_iso_in_chinese_and_other_forms_still_parse():
    with translation.override("zh-hans"):
        html = str(
            _Form(
                initial={
                    "day": date(2026, 1, 5),
                    "at": datetime(2026, 1, 5, 9, 30, tzinfo=ZoneInfo("Asia/Shanghai")),
                }
            )
        )
        assert 'value="2026-01-05"' in html
        assert 'value="2026-01-05T09:30"' in html
        typed = _Form(data={"day": "2026/01/05", "at": "2026/01/05 09:30"})
        assert typed.is_valid(), typed.errors
        assert typed.cleaned_data["day"] == date(2026, 1, 5)
