/**
 * Moves focus to the first control marked aria-invalid="true" inside
 * `container`, in document order, so a keyboard or screen-reader user lands
 * on what to fix. Returns whether there was one.
 */
export function focusFirstInvalid(container: ParentNode | null | undefined): boolean {
  const first = container?.querySelector<HTMLElement>('[aria-invalid="true"]');
  if (!first) return false;
  first.focus();
  return true;
}
