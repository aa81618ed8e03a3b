"""Keyboard checks in the browser tests: every control a mouse can use is reached by
Tab alone, in a page without positive tabindex, and shows where the focus is."""

from __future__ import annotations

from playwright.sync_api import Page

# Marks every visible control and returns how many there are. One radio button per
# group is in the Tab order (the arrow keys move within it), so radios count by name.
MARK_CONTROLS = """() => {
  const selector = 'a[href], button, input:not([type=hidden]), select, textarea, summary, [tabindex]';
  // checkVisibility also sees content a closed <details> hides (content-visibility).
  const visible = (el) => el.checkVisibility({visibilityProperty: true});
  // A container with tabindex=-1 (an error summary, <main>) takes focus from a script
  // or a skip link, on purpose out of the Tab order; it is not a control.
  const interactive = 'a[href], button, input, select, textarea, summary';
  const controls = [...document.querySelectorAll(selector)].filter(
    (el) => visible(el) && !el.disabled && !el.closest('[inert]')
      && (el.matches(interactive) || el.getAttribute('tabindex') !== '-1'));
  const keys = new Set();
  controls.forEach((el) => {
    const key = el.type === 'radio' ? 'radio:' + el.name : 'el:' + controls.indexOf(el);
    el.dataset.keyboardKey = key;
    keys.add(key);
  });
  const positive = controls.filter((el) => el.tabIndex > 0).map((el) => el.outerHTML.slice(0, 80));
  const removed = controls.filter((el) => el.getAttribute('tabindex') === '-1')
    .map((el) => el.outerHTML.slice(0, 80));
  return {keys: [...keys], positive, removed, frames: document.querySelectorAll('iframe').length};
}"""

FOCUSED = """() => {
  const el = document.activeElement;
  if (!el || el === document.body) return null;
  // Inside a frame the framed document (a PDF viewer) draws its own focus.
  if (el.tagName === 'IFRAME') return {key: null, shown: true, html: ''};
  const style = getComputedStyle(el);
  const shown = (style.outlineStyle !== 'none' && parseFloat(style.outlineWidth) > 0) || style.boxShadow !== 'none';
  return {key: el.dataset.keyboardKey || null, shown, html: el.outerHTML.slice(0, 80)};
}"""


def assert_keyboard_reachable(page: Page) -> None:
    """Tab through the whole page from its top: every visible control must take the
    focus once, visibly. Fails naming the controls never reached."""
    marked = page.evaluate(MARK_CONTROLS)
    assert not marked["positive"], f"tabindex > 0 breaks the reading order: {marked['positive']}"
    assert not marked["removed"], f"controls taken out of the Tab order: {marked['removed']}"
    wanted = set(marked["keys"])
    page.evaluate("() => { document.activeElement && document.activeElement.blur(); window.scrollTo(0, 0); }")
    page.locator("body").focus()
    reached: set[str] = set()
    invisible: list[str] = []
    # Tab also walks through each frame's own controls (a PDF viewer's toolbar).
    for _ in range(2 * len(wanted) + 10 + 40 * marked["frames"]):
        page.keyboard.press("Tab")
        focused = page.evaluate(FOCUSED)
        if focused is None:
            continue
        if focused["key"]:
            reached.add(focused["key"])
        if not focused["shown"]:
            invisible.append(focused["html"])
        if reached >= wanted:
            break
    missing = wanted - reached
    if missing:
        names = page.evaluate(
            "(keys) => keys.map((k) => document.querySelector(`[data-keyboard-key='${k}']`).outerHTML.slice(0, 100))",
            sorted(missing),
        )
        raise AssertionError(f"{len(missing)} controls not reached by Tab on {page.url}:\n  " + "\n  ".join(names))
    assert not invisible, f"focus not visible on {page.url}: {invisible[:5]}"
