"""The view's one inline script: hover or click a line, its partners light up in both panes."""

from __future__ import annotations

# Plain DOM code, no kernel round trip. It wires every view on the page not yet wired (a view
# re-rendered by an update, or saved and reopened, wires again); without script (GitHub,
# sanitised outputs) the panes stay as they are: tinted, scrolling, helpers folded.
# Hovering lights a source line's partners and scrolls the other pane to them; a click pins
# the lit line (a second click, or a click on an unlinked line, lets go).
LINKING_SCRIPT = """
(() => {
  const LIT = "inset 3px 0 0 var(--jp-brand-color1,#0969da), 0 0 0 1px var(--jp-brand-color1,#0969da)";
  const reveal = (row) => {
    const code = row.closest("[data-code]");
    if (!code) return;
    const box = code.getBoundingClientRect(), at = row.getBoundingClientRect();
    if (at.top < box.top || at.bottom > box.bottom) {
      code.scrollTop += at.top - box.top - box.height / 3;
    }
  };
  const wire = (view) => {
    view.dataset.wired = "1";
    let pinned = null;
    const light = (line, from) => {
      for (const row of view.querySelectorAll("[data-lit]")) {
        row.removeAttribute("data-lit");
        row.style.boxShadow = "";
      }
      if (line === null) return;
      const rows = view.querySelectorAll(`[data-source-line="${line}"]`);
      const seen = new Set();
      for (const row of rows) {
        row.setAttribute("data-lit", "");
        row.style.boxShadow = LIT;
        const pane = row.closest("[data-pane]");
        if (pane && pane !== from && !seen.has(pane)) {
          seen.add(pane);
          reveal(row);
        }
      }
    };
    const lineOf = (event) => event.target.closest && event.target.closest("[data-source-line]");
    view.addEventListener("mouseover", (event) => {
      const row = lineOf(event);
      if (pinned === null && row) light(row.dataset.sourceLine, row.closest("[data-pane]"));
    });
    view.addEventListener("mouseleave", () => { if (pinned === null) light(null, null); });
    view.addEventListener("click", (event) => {
      const row = lineOf(event);
      const line = row ? row.dataset.sourceLine : null;
      pinned = line === pinned ? null : line;
      light(line, row ? row.closest("[data-pane]") : null);
    });
  };
  for (const view of document.querySelectorAll("[data-helion-view]:not([data-wired])")) wire(view);
})();
"""


def script_tag() -> str:
    return f"<script>{LINKING_SCRIPT}</script>"
