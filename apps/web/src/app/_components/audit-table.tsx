import "./audit-table.css";

import { type RouterOutputs } from "@keysmith/api";

import { actorLabel } from "../_lib/audit-labels.ts";
import { auditSentence } from "../_lib/audit-sentence.ts";
import { When } from "./when.tsx";

export type AuditItem = RouterOutputs["auditLog"]["list"]["items"][number];

/**
 * Audit events, newest first: what happened, when, who did it, from which
 * address and with which user agent. A table on wide screens, a card per
 * event on narrow ones (audit-table.css), each value labelled.
 */
export function AuditTable({ events, caption, busy = false }: { events: AuditItem[]; caption: string; busy?: boolean }) {
  return (
    <div className="audit-table-wrap">
      <table className="audit-table" aria-busy={busy || undefined}>
        <caption className="visually-hidden">{caption}</caption>
        <thead>
          <tr>
            <th scope="col">What happened</th>
            <th scope="col">When</th>
            <th scope="col">Who</th>
            <th scope="col">Address</th>
            <th scope="col">User agent</th>
          </tr>
        </thead>
        <tbody>
          {events.map((event) => (
            // focusable by script: "Load more" puts the focus on the first event it brought
            <tr key={event.id} className="audit-row" data-event={event.event} tabIndex={-1}>
              <td className="audit-what">{auditSentence(event)}</td>
              <td data-label="When">
                <When iso={event.at} show="both" />
              </td>
              <td data-label="Who">{actorLabel(event.actor) ?? <Missing words="nobody signed in" />}</td>
              <td data-label="Address">{event.client_address ? <code>{event.client_address}</code> : <Missing words="not recorded" />}</td>
              <td data-label="User agent">
                {/* cut to a line by CSS; the title holds it whole, and screen readers read it whole */}
                {event.user_agent ? <span className="audit-agent" title={event.user_agent}>{event.user_agent}</span> : <Missing words="not recorded" />}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

/** A dash to the eye, words to a screen reader. */
function Missing({ words }: { words: string }) {
  return (
    <>
      <span aria-hidden="true">—</span>
      <span className="visually-hidden">{words}</span>
    </>
  );
}
