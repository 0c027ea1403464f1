"""Where the browser journeys find Chromium: Debian's package, never a downloaded build."""

from __future__ import annotations

import os
import shutil


def chromium_path() -> str | None:
    explicit = os.environ.get("CHROMIUM_PATH")
    if explicit and os.path.exists(explicit):
        return explicit
    for name in ("chromium", "chromium-browser", "google-chrome"):
        found = shutil.which(name)
        if found:
            return found
    return None


#: What Chromium writes to the console when the Content-Security-Policy blocks something
#: ("Refused to execute inline script because it violates the following Content Security
#: Policy directive: …"); the init script below writes the same words for every
#: ``securitypolicyviolation`` event, so nothing the policy blocks goes unseen.
CSP_MARKER = "Content Security Policy"

CSP_REPORTER = """
document.addEventListener("securitypolicyviolation", function (e) {
  console.error("Content Security Policy violation: " + e.effectiveDirective + " blocked "
    + (e.blockedURI || "inline") + " at " + e.sourceFile + ":" + e.lineNumber);
});
"""


def watch_csp(context) -> list[str]:
    """Collects every Content-Security-Policy violation any page of ``context`` reports."""
    violations: list[str] = []

    def on_console(message) -> None:
        if CSP_MARKER in message.text:
            page = message.page
            violations.append(f"{page.url if page else '?'}: {message.text}")

    context.add_init_script(CSP_REPORTER)
    context.on("console", on_console)
    return violations
