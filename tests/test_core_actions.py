"""core/actions.perform: the one shape of a POST button (permission, form, service, message,
redirect), with a real request, session messages and rules permissions."""

from __future__ import annotations

import pytest
import rules
from django import forms
from django.contrib.auth.models import AnonymousUser
from django.contrib.messages import get_messages
from django.contrib.messages.storage.fallback import FallbackStorage
from django.contrib.sessions.backends.signed_cookies import SessionStore
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import RequestFactory

from gongzhi.core.actions import Action, perform


class NoteForm(forms.Form):
    note = forms.CharField(max_length=5)


def post(data: dict[str, str]):
    request = RequestFactory().post("/x/", data)
    request.session = SessionStore()
    request._messages = FallbackStorage(request)
    request.user = AnonymousUser()
    return request


def said(request) -> list[tuple[str, str]]:
    return [(m.level_tag, m.message) for m in get_messages(request)]


class Thing:
    def __init__(self) -> None:
        self.calls: list[tuple[object, dict]] = []


def record(user, thing: Thing, data: dict) -> None:
    thing.calls.append((user, data))


def test_a_valid_post_acts_says_so_and_goes_back():
    request, thing = post({"note": "好"}), Thing()
    action: Action[Thing] = Action(act=record, form=NoteForm, done="Saved.")
    response = perform(request, action, thing, back="/back/", extra={"public": True})
    assert (response.status_code, response["Location"]) == (302, "/back/")
    assert thing.calls == [(request.user, {"note": "好", "public": True})]
    assert said(request) == [("success", "Saved.")]


def test_an_invalid_form_is_a_message_and_nothing_happens():
    request, thing = post({"note": "too long"}), Thing()
    perform(
        request, Action(act=record, form=NoteForm, invalid="Write a short note."), thing, back="/b/"
    )
    assert thing.calls == [] and said(request) == [("error", "Write a short note.")]
    request = post({})
    response = perform(request, Action(act=record, form=NoteForm), thing, back="/b/")
    assert response["Location"] == "/b/" and thing.calls == []
    assert said(request) == [("error", str(NoteForm({}).errors["note"][0]))]


def test_an_optional_form_acts_with_empty_data():
    request, thing = post({"note": "too long"}), Thing()
    perform(
        request, Action(act=record, form=NoteForm, form_required=False, done="ok"), thing, back="/"
    )
    assert thing.calls == [(request.user, {})] and said(request) == [("success", "ok")]


def test_a_refusal_is_shown_and_other_errors_are_not_swallowed():
    def refuse(user, thing, data):
        raise ValidationError(["Not now.", "Later."])

    request = post({})
    perform(request, Action(act=refuse, done="never"), Thing(), back="/")
    assert said(request) == [("error", "Not now. Later.")]

    def forbid(user, thing, data):
        raise PermissionDenied("No.")

    with pytest.raises(PermissionDenied):
        perform(post({}), Action(act=forbid), Thing(), back="/")
    request = post({})
    perform(request, Action(act=forbid, refused=(PermissionDenied,)), Thing(), back="/")
    assert said(request) == [("error", "No.")]
    with pytest.raises(ValidationError):
        perform(post({}), Action(act=refuse, refused=()), Thing(), back="/")


def test_the_permission_is_checked_on_the_object_first():
    rules.add_perm("h3test.touch", rules.predicate(lambda user, thing: thing.calls == []))
    try:
        thing = Thing()
        action: Action[Thing] = Action(
            act=record, form=NoteForm, perm="h3test.touch", denied="Not yours."
        )
        perform(post({"note": "a"}), action, thing, back="/")
        assert len(thing.calls) == 1
        with pytest.raises(PermissionDenied) as refused:
            perform(post({"note": "b"}), action, thing, back="/")
        assert str(refused.value) == "Not yours." and len(thing.calls) == 1
    finally:
        rules.remove_perm("h3test.touch")
