import pytest

from individuate.articles.markdown import MarkdownTooLarge, render

ATTACK = """Hello <script>alert('x')</script>

<img src="x" onerror="alert(1)">

[click](javascript:alert(1)) [also](JaVaScRiPt:alert(1))

![pixel](data:image/png;base64,iVBORw0KGgo=)

<a href="https://elsewhere.example/" onclick="steal()">raw link</a>
"""


def test_script_handlers_javascript_and_data_uris_render_inert() -> None:
    html = render(ATTACK, site_host="individuate.example")
    lowered = html.lower()
    assert "<script" not in lowered
    assert "onerror=" not in lowered.replace("onerror=alert", "") or '<img src="x" onerror' not in lowered
    assert '<img src="x"' not in lowered
    assert 'href="javascript' not in lowered
    assert "data:image" not in lowered.split("alt=")[0] and 'src="data:' not in lowered
    assert "onclick" not in lowered or "&lt;a" in lowered  # raw HTML is shown as text, never as a tag


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
