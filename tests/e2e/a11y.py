"""Accessibility checks the browser journeys call on a page: axe-core, and WCAG 2.2 target sizes.

axe-core is the copy bundled in axe-playwright-python (the test extra), read from the installed
package: nothing is fetched from the network. It is injected with ``page.evaluate``, which runs
through the DevTools protocol and is not subject to the page's Content-Security-Policy (checked:
no ``securitypolicyviolation`` while axe runs, and the journeys' CSP watcher stays on), whereas
``add_script_tag`` would be refused by ``script-src 'self'``. So the axe pass runs under the
real policy, and ``bypass_csp`` is not needed; should a Chromium ever refuse the evaluation, open
the axe pass's context with ``new_context(device, bypass_csp=True)`` and for that pass only.

Target sizes (WCAG 2.2, 2.5.8 "Target Size (Minimum)" and 2.5.5 "Target Size (Enhanced)"):
``small_targets`` measures every visible link, button, form control and ``<label for>`` and
returns those smaller than ``minimum`` CSS px in either direction. Two readings of the criterion:

* **Inline links are exempt**, as WCAG exempts a target "in a sentence or … constrained by the
  line-height of non-target text". A link counts as inline in running text when its computed
  ``display`` is ``inline`` *and* its nearest block container has text of its own beside the
  link (text outside every link, button and control in it, punctuation and spaces ignored). A
  link alone in its block (``<p><a>More</a></p>``, ``<li><a>Title</a></li>``) is not exempt,
  nor is one the stylesheet lays out as a block or inline-block.
* **A control and its labels are one target**: clicking a ``<label>`` does what clicking its
  control does. A checkbox or radio is measured as the box that holds it and every label for it
  (the control itself must still be at least 24 px, 2.5.8's floor); any other control (text field,
  select, button) must reach ``minimum`` on its own, so its label needs no size of its own (2.5.8's
  "equivalent" exception). A ``<label for>`` whose control is missing or invisible is measured
  alone.
"""

from __future__ import annotations

from importlib.resources import files

#: The WCAG 2.0/2.1/2.2 level A and AA rules of axe-core (its own tag names).
WCAG_AA_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]

_AXE_SOURCE: str | None = None


def axe_source() -> str:
    global _AXE_SOURCE  # noqa: PLW0603 - read the 500 kB script once per process
    if _AXE_SOURCE is None:
        _AXE_SOURCE = files("axe_playwright_python").joinpath("axe.min.js").read_text("utf-8")
    return _AXE_SOURCE


def axe_violations(page) -> list[str]:
    """axe-core's WCAG A/AA violations on ``page`` as it is now, one readable line per node."""
    page.evaluate(axe_source())
    result = page.evaluate(
        """tags => axe.run(document, {runOnly: {type: "tag", values: tags},
                                     resultTypes: ["violations"]})""",
        WCAG_AA_TAGS,
    )
    lines = []
    for violation in result["violations"]:
        for node in violation["nodes"]:
            lines.append(
                f"{page.url}: [{violation['id']}] {violation['help']}: "
                f"{' '.join(node['target'])} — {node.get('failureSummary', '').strip()}"
            )
    return lines


_MEASURE = """
minimum => {
  const SELECTOR = "a[href], button, input:not([type=hidden]), select, textarea, summary, label[for]";
  const TARGETS = "a[href], button, input, select, textarea, summary, label";
  const visible = el => {
    const style = getComputedStyle(el);
    if (style.visibility === "hidden" || style.display === "none") return false;
    const box = el.getBoundingClientRect();
    // Off the page (a skip link until it has the focus): no pointer reaches it there.
    if (box.right + scrollX <= 0 || box.bottom + scrollY <= 0) return false;
    return box.width > 0 && box.height > 0 && el.closest("[hidden], [aria-hidden=true]") === null
      && !(style.position === "absolute" && style.clip === "rect(0px, 0px, 0px, 0px)");
  };
  const blockOf = el => {
    let node = el.parentElement;
    while (node && getComputedStyle(node).display.startsWith("inline")) node = node.parentElement;
    return node || document.body;
  };
  const ownText = block => {
    // The block's text outside every target inside it: the "sentence" around an inline link.
    const walker = document.createTreeWalker(block, NodeFilter.SHOW_TEXT);
    let text = "";
    for (let node = walker.nextNode(); node; node = walker.nextNode()) {
      const parent = node.parentElement;
      if (parent.closest(TARGETS) || blockOf(node) !== block) continue;
      if (!visible(parent)) continue;
      text += node.textContent;
    }
    return text.replace(/[\\s\\p{P}\\p{S}]/gu, "");
  };
  const inRunningText = el => el.tagName === "A" && getComputedStyle(el).display === "inline"
    && ownText(blockOf(el)).length > 0;
  const union = boxes => {
    const left = Math.min(...boxes.map(b => b.left)), top = Math.min(...boxes.map(b => b.top));
    const right = Math.max(...boxes.map(b => b.right)), bottom = Math.max(...boxes.map(b => b.bottom));
    return {width: right - left, height: bottom - top};
  };
  const describe = el => {
    const id = el.id ? "#" + el.id : "";
    const name = el.getAttribute("name") ? `[name=${el.getAttribute("name")}]` : "";
    const href = el.getAttribute("href") ? `[href="${el.getAttribute("href")}"]` : "";
    const forId = el.getAttribute("for") ? `[for=${el.getAttribute("for")}]` : "";
    const text = (el.innerText || el.value || "").trim().replace(/\\s+/g, " ").slice(0, 30);
    return `${el.tagName.toLowerCase()}${id}${name}${href}${forId} "${text}"`;
  };
  const small = [];
  for (const el of document.querySelectorAll(SELECTOR)) {
    if (!visible(el) || inRunningText(el)) continue;
    let box = el.getBoundingClientRect();
    const checkable = el.matches("input[type=checkbox], input[type=radio]");
    if (el.matches("label") && el.control && visible(el.control)) continue;  // with its control
    if (checkable) {
      if (box.width < 24 || box.height < 24) {
        small.push(`${describe(el)}: the box itself is ${Math.round(box.width)}×${Math.round(box.height)}, under 24`);
        continue;
      }
      box = union([box, ...Array.from(el.labels || []).filter(visible).map(l => l.getBoundingClientRect())]);
    }
    if (box.width + 0.5 < minimum || box.height + 0.5 < minimum) {
      small.push(`${describe(el)}: ${Math.round(box.width)}×${Math.round(box.height)}`);
    }
  }
  return small;
}
"""


def small_targets(page, minimum: int) -> list[str]:
    """The visible targets on ``page`` under ``minimum`` CSS px wide or high (see above)."""
    found = page.evaluate(_MEASURE, minimum)
    return [f"{page.url}: {line}" for line in found]
