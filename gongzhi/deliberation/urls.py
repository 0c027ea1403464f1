"""The deliberation hall's pages, under /c/<slug>/proposals/."""

from functools import partial

from django.urls import URLPattern, path

from gongzhi.deliberation import views


def discussion_urls(prefix: str, get_subject: views.SubjectGetter, name: str) -> list[URLPattern]:
    """The routes of a subject's discussion, under the subject's page ``prefix``: comment or
    reply (``<prefix>comments/``), and flag, hide, dismiss the flags on, appeal, or react to one
    comment (``<prefix>comments/<comment_id>/<act>/``). Names are ``<name>_add``,
    ``<name>_flag``, ``<name>_hide``, ``<name>_dismiss``, ``<name>_appeal``, ``<name>_react``.
    ``get_subject(request, **the prefix's URL arguments)`` fetches the subject for the viewer."""
    comment = f"{prefix}comments/<int:comment_id>/"
    acts = [
        ("flag/", views.item_flag, "flag"),
        ("hide/", views.item_hide, "hide"),
        ("dismiss-flags/", views.item_dismiss_flags, "dismiss"),
        ("appeal/", views.item_appeal, "appeal"),
        ("react/", views.reaction_toggle, "react"),
    ]
    return [
        path(
            f"{prefix}comments/",
            partial(views.comment_add, get_subject=get_subject),
            name=f"{name}_add",
        ),
        *(
            path(f"{comment}{act}", partial(view, get_subject=get_subject), name=f"{name}_{n}")
            for act, view, n in acts
        ),
    ]


urlpatterns = [
    path("", views.proposal_list, name="proposal_list"),
    path("new/", views.proposal_create, name="proposal_create"),
    path("moderation/", views.moderation_queue, name="moderation_queue"),
    path(
        "moderation/appeals/<int:appeal_id>/decide/",
        views.appeal_decide,
        name="appeal_decide",
    ),
    path("<int:proposal_id>/", views.proposal_detail, name="proposal_detail"),
    path("<int:proposal_id>/support/", views.proposal_support, name="proposal_support"),
    path("<int:proposal_id>/follow/", views.proposal_follow, name="proposal_follow"),
    path("<int:proposal_id>/answer/", views.proposal_answer, name="proposal_answer"),
    path(
        "<int:proposal_id>/files/<int:attachment_id>/",
        views.attachment_file,
        name="attachment_file",
    ),
    path("<int:proposal_id>/flag/", views.item_flag, name="proposal_flag"),
    path("<int:proposal_id>/hide/", views.item_hide, name="proposal_hide"),
    path("<int:proposal_id>/dismiss-flags/", views.item_dismiss_flags, name="proposal_dismiss"),
    path("<int:proposal_id>/appeal/", views.item_appeal, name="proposal_appeal"),
    *discussion_urls("<int:proposal_id>/", views.proposal_subject, "comment"),
]
