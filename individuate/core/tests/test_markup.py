"""Markup that browsers and assistive tech complained about: fixed once, kept fixed."""

from __future__ import annotations

import matplotlib.pyplot as plt
from django.contrib.messages import constants
from django.contrib.messages.storage.fallback import FallbackStorage
from django.template.loader import render_to_string
from django.test import RequestFactory

from individuate.core.charts import svg_of


def test_chart_svg_has_no_invalid_height() -> None:
    fig, ax = plt.subplots(figsize=(3, 2))
    ax.plot([1, 2, 3], [2, 1, 3])
    svg = svg_of(fig)
    opening = svg[: svg.index(">")]
    assert 'height="auto"' not in opening and 'width="100%"' in opening and "viewBox=" in opening


def test_messages_are_not_list_items_inside_a_status_role(db: None) -> None:
    request = RequestFactory().get("/")
    request.session = {}  # type: ignore[assignment]
    from django.contrib.auth.models import AnonymousUser

    request.user = AnonymousUser()
    storage = FallbackStorage(request)
    storage.add(constants.SUCCESS, "Saved.")
    request._messages = storage
    html = render_to_string("base.html", request=request)
    block = html.split('class="messages"', 1)[1].split("</div>", 1)[0]
    assert 'role="status"' in block and "Saved." in block and "<li" not in block


def test_favicon_is_linked(db: None) -> None:
    from django.test import Client

    assert 'rel="icon"' in Client().get("/").content.decode()
