"""Django's zh-Hans formats, with ISO dates first among the input formats.

A form renders a date field's value in the first input format; Django's zh-Hans list starts with
"%Y/%m/%d", which an ``<input type="date">`` cannot show (browsers take only YYYY-MM-DD), so a
date a form filled in (a certificate's period, a decision's day) looked empty and was sent back
empty. Every other format Django's zh-Hans module accepts is still accepted."""

from django.conf.locale.zh_Hans.formats import *  # noqa: F403
from django.conf.locale.zh_Hans.formats import DATE_INPUT_FORMATS as _DATES
from django.conf.locale.zh_Hans.formats import DATETIME_INPUT_FORMATS as _DATETIMES

DATE_INPUT_FORMATS = ["%Y-%m-%d", *(f for f in _DATES if f != "%Y-%m-%d")]
DATETIME_INPUT_FORMATS = [
    "%Y-%m-%dT%H:%M",
    *(f for f in _DATETIMES if f != "%Y-%m-%dT%H:%M"),
]
