"""The accessibility check itself: axe-core runs in Chromium and catches what it should."""

import pytest
from playwright.sync_api import Page

from tests.e2e.axe import assert_accessible


def test_axe_fails_a_page_with_serious_violations(page: Page) -> None:
    page.set_content(
        '<html><body><main><h1>x</h1><img src="data:,"><input type="text">'
        '<p style="color:#bbb;background:#fff">faint</p></main></body></html>'
    )
    with pytest.raises(AssertionError) as failure:
        assert_accessible(page)
    for rule in ("image-alt", "label", "color-contrast", "html-has-lang"):
        assert rule in str(failure.value)


def test_axe_passes_the_home_page(page: Page) -> None:
    page.goto("/")
    assert_accessible(page)
