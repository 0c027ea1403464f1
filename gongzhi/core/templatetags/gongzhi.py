from django import template

from gongzhi.core.models import Role
from gongzhi.core.verbs import verb_label as _verb_label

register = template.Library()


@register.filter
def verb_label(verb: str) -> str:
    return _verb_label(verb)


@register.filter
def role_label(role: str) -> str:
    try:
        return str(Role(role).label)
    except ValueError:
        return role
