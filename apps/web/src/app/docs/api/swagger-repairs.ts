/**
 * Swagger UI's markup, mended where it fails WCAG A/AA and CSS cannot help:
 * selects without a name (the server picker, enum parameters), a close button
 * without one, an "Authorize" button whose aria-label hides its visible text,
 * and code blocks that scroll but cannot be reached with the keyboard.
 * Swagger renders more as the reader expands operations, so new markup is
 * mended as it appears. Returns the function that stops watching.
 */
export function mendSwaggerMarkup(root: HTMLElement): () => void {
  function mend() {
    for (const select of root.querySelectorAll("select")) {
      // a label wrapped around the select names it by the options' text, which names nothing
      const named = [...select.labels].some((label) => !label.contains(select) && label.textContent.trim() !== "");
      if (named || select.hasAttribute("aria-label") || select.hasAttribute("aria-labelledby")) continue;
      const parameter = select.closest("tr[data-param-name]")?.getAttribute("data-param-name");
      select.setAttribute("aria-label", select.id === "servers" ? "Server" : (parameter ?? "Choose a value"));
    }
    for (const close of root.querySelectorAll(".close-modal:not([aria-label])")) close.setAttribute("aria-label", "Close");
    for (const button of root.querySelectorAll('button[aria-label="Apply credentials"]')) button.removeAttribute("aria-label");
    for (const block of root.querySelectorAll("pre:not([tabindex])")) block.setAttribute("tabindex", "0");
  }
  mend();
  // attribute changes are not watched, so mending never triggers itself
  const observer = new MutationObserver(mend);
  observer.observe(root, { childList: true, subtree: true });
  return () => observer.disconnect();
}
