/** The key page's recent events: the 10 newest, one definition for the server's prefetch and the browser. */
export function recentEventsInput(keyId: number) {
  return { key_id: keyId, limit: 10 };
}
