"""(filled in by its part)"""

from ninja import Router

router = Router(tags=["volunteering"])
