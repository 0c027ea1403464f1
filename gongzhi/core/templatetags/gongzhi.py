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


@register.filter
def get(mapping, key):
    """``{{ labels|get:option_id }}``: look a key up in a dict."""
    try:
        return mapping.get(key, key)
    except AttributeError:
        return key


@register.filter
def measures(result):
    """The four measures of an owners' vote, labelled, for the results table."""
    from django.utils.translation import gettext as _

    labels = [
        ("participation_by_head", _("Owners taking part (by head)")),
        ("participation_by_area", _("Owners taking part (by floor area)")),
        ("consent_by_head", _("Consent of those taking part (by head)")),
        ("consent_by_area", _("Consent of those taking part (by floor area)")),
    ]
    rows = []
    for attribute, label in labels:
        measure = getattr(result, attribute)
        share = measure.share
        rows.append(
            {
                "label": label,
                "part": measure.part,
                "whole": measure.whole,
                "percent": f"{float(share) * 100:.1f}%" if share is not None else "—",
                "needed": (
                    _("more than %(share)s")
                    if measure.threshold.comparison == ">"
                    else _("at least %(share)s")
                )
                % {"share": measure.threshold.share},
                "met": measure.met,
            }
        )
    return rows


@register.filter
def ballot_text(content, labels):
    """A published ballot in words: the options' names, in order for a ranking."""
    if isinstance(content, str):
        return content
    if isinstance(content, dict):
        return "; ".join(f"{labels.get(int(k), k)}: {v}" for k, v in content.items())
    return " > ".join(str(labels.get(item, item)) for item in content) if content else "—"


@register.filter
def is_past(moment) -> bool:
    """``{% if t.resolve_by|is_past %}``: a deadline that has passed (none has not)."""
    from django.utils import timezone

    return moment is not None and moment < timezone.now()


@register.inclusion_tag("core/_map_picker.html")
def map_picker(form, lat: str = "latitude", lng: str = "longitude", crs: str = "point_crs"):
    """A map beside ``form``'s coordinate fields, when a tile server is configured
    (``MAP_TILE_URL``); without one, nothing: the fields still work."""
    from django.conf import settings

    return {
        "tiles": settings.MAP_TILE_URL,
        "crs": settings.MAP_TILE_CRS,
        "attribution": settings.MAP_TILE_ATTRIBUTION,
        "center": settings.MAP_CENTER,
        "lat_id": form[lat].id_for_label,
        "lng_id": form[lng].id_for_label,
        "crs_id": form[crs].id_for_label if crs in form.fields else "",
    }
