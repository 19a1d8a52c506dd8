from html.parser import HTMLParser

import pytest

from individuate.articles.markdown import MarkdownTooLarge, clean_html, render

ATTACK = """Hello <script>alert('x')</script>

<img src="x" onerror="alert(1)">

[click](javascript:alert(1)) [also](JaVaScRiPt:alert(1))

![pixel](data:image/png;base64,iVBORw0KGgo=)

<a href="https://elsewhere.example/" onclick="steal()">raw link</a>
"""


class _Elements(HTMLParser):
    """Every element and attribute a browser would build from the HTML."""

    def __init__(self) -> None:
        super().__init__()
        self.elements: list[tuple[str, dict[str, str]]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.elements.append((tag, {k: v or "" for k, v in attrs}))


def _elements(html: str) -> list[tuple[str, dict[str, str]]]:
    parser = _Elements()
    parser.feed(html)
    return parser.elements


def test_script_handlers_javascript_and_data_uris_render_inert() -> None:
    html = render(
        ATTACK + "\n[entity](&#106;avascript:alert(1)) [vb](vbscript:x) [d](data:text/html,hi)\n",
        site_host="individuate.example",
    )
    elements = _elements(html)
    tags = {tag for tag, _ in elements}
    assert "script" not in tags and "iframe" not in tags and "style" not in tags
    for tag, attrs in elements:
        assert not [a for a in attrs if a.startswith("on")], (tag, attrs)  # no event handler
        assert "style" not in attrs
        for key in ("href", "src"):
            if key in attrs:
                assert attrs[key].split(":", 1)[0].lower() in {"http", "https", "mailto"} or attrs[key].startswith("/")
    images = [attrs for tag, attrs in elements if tag == "img"]
    assert images == [{"alt": "pixel"}]  # the data-URI image keeps its description, loses its source
    assert not [attrs for tag, attrs in elements if tag == "a"]  # no link survives: all were unsafe or raw HTML
    assert "&lt;script&gt;" in html  # raw HTML is shown as text


def test_the_cleaner_alone_makes_raw_html_inert() -> None:
    """Even if the parser let raw HTML through, nh3's allow-list would drop the danger."""
    html = clean_html(
        '<script>alert(1)</script><img src="x" onerror="alert(1)"><img src="data:image/png;base64,AAAA">'
        '<a href="javascript:alert(1)" onclick="x()">j</a><a href="data:text/html,hi">d</a>'
        '<p style="color:red" onmouseover="x()">p</p><iframe src="https://x.example"></iframe>'
        '<a href="https://out.example/">out</a>',
        site_host="individuate.example",
    )
    elements = _elements(html)
    assert [tag for tag, _ in elements] == ["img", "img", "a", "a", "p", "a"]
    assert [attrs for tag, attrs in elements if tag in {"img", "p"}] == [{}, {}, {}]
    assert [attrs for tag, attrs in elements if tag == "a"] == [
        {},
        {},
        {"href": "https://out.example/", "rel": "nofollow noopener"},
    ]
    assert "alert" not in html


def test_external_links_get_nofollow_noopener_internal_do_not() -> None:
    html = render(
        "[out](https://elsewhere.example/x) [in](/articles/) [same](https://individuate.example/a)",
        site_host="individuate.example",
    )
    assert '<a href="https://elsewhere.example/x" rel="nofollow noopener">' in html
    assert '<a href="/articles/">' in html
    assert '<a href="https://individuate.example/a">' in html


def test_headings_start_below_the_article_title() -> None:
    assert render("# Part one").startswith("<h2>")


def test_deep_nesting_is_refused_with_a_clear_message() -> None:
    with pytest.raises(MarkdownTooLarge, match="nested 200 deep"):
        render(">" * 200 + " deep")
    with pytest.raises(MarkdownTooLarge, match="nested"):
        render("".join("  " * i + "- x\n" for i in range(1)) + "- " * 40 + "x")


def test_a_one_megabyte_body_is_refused() -> None:
    with pytest.raises(MarkdownTooLarge, match="limit is 200,000"):
        render("word " * 210_000)


def test_pathological_brackets_render_quickly() -> None:
    import time

    t0 = time.perf_counter()
    render("[a](" + "(" * 20_000 + ")" * 20_000 + ")" + "<" * 20_000)
    assert time.perf_counter() - t0 < 5
