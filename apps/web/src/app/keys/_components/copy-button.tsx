"use client";

import { useState } from "react";

/** Copies `value`; says whether it worked, in its own label and in `onCopied`. */
export function CopyButton({ value, label, copiedLabel = "Copied", onCopied, className = "secondary" }: {
  value: string;
  label: string;
  copiedLabel?: string;
  onCopied?: () => void;
  className?: string;
}) {
  const [state, setState] = useState<"idle" | "copied" | "failed">("idle");

  async function copy() {
    try {
      await navigator.clipboard.writeText(value);
      setState("copied");
      onCopied?.();
    } catch {
      setState("failed");
    }
  }

  return (
    <>
      <button type="button" className={className} onClick={() => void copy()}>
        {state === "copied" ? copiedLabel : label}
      </button>
      {state === "failed" ? (
        <span className="field-error" role="alert">
          The browser refused the clipboard: select the text and copy it by hand.
        </span>
      ) : null}
    </>
  );
}
