"use client";

import { useEffect, useRef, useState } from "react";

import { type RouterOutputs } from "@keysmith/api";

type NewKey = Pick<RouterOutputs["apiKeys"]["create"], "name" | "key">;

/** Shows a new key exactly once; closing it forgets the value. */
export function NewKeyDialog({ created, onClose, rolled = false }: { created: NewKey; onClose: () => void; rolled?: boolean }) {
  const dialog = useRef<HTMLDialogElement>(null);
  const [copied, setCopied] = useState<"yes" | "failed" | null>(null);

  useEffect(() => {
    dialog.current?.showModal();
  }, []);

  async function copy() {
    try {
      await navigator.clipboard.writeText(created.key);
      setCopied("yes");
    } catch {
      setCopied("failed");
    }
  }

  return (
    <dialog ref={dialog} className="dialog" aria-labelledby="new-key-title" onClose={onClose}>
      <h2 id="new-key-title">{rolled ? `The new key for “${created.name}”` : `Your new key “${created.name}”`}</h2>
      <p className="warning">
        <strong>Copy it now: this is the only time it is shown.</strong> Keysmith keeps only a hash of it. If you lose it, create a new key and
        delete this one.
      </p>
      <div className="key-box">
        <code data-testid="new-key-value">{created.key}</code>
        <button type="button" onClick={() => void copy()}>
          {copied === "yes" ? "Copied" : "Copy"}
        </button>
      </div>
      {copied === "failed" ? <p className="form-error">The browser refused the clipboard: select the key and copy it by hand.</p> : null}
      <form method="dialog">
        <button type="submit" className="secondary">
          I have copied it
        </button>
      </form>
    </dialog>
  );
}
