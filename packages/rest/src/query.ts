import { KeysmithError } from "@keysmith/validators";

/**
 * A URL's query as one value per name, for a route's schema. A list (`lists`)
 * may be sent either way OpenAPI allows, comma-separated or once per item
 * (`key_ids=1&key_ids=2`, its default, which Swagger UI and generated clients
 * send): the items are joined with commas. Any other name given twice is
 * refused, naming it: taking one of the two silently would answer a question
 * the client did not ask.
 */
export function queryOf(url: URL, lists: readonly string[] = []): Record<string, string> {
  const values = new Map<string, string>();
  for (const [name, value] of url.searchParams) {
    const earlier = values.get(name);
    if (earlier === undefined) {
      values.set(name, value);
    } else if (lists.includes(name)) {
      values.set(name, `${earlier},${value}`);
    } else {
      const message = `${name} was given more than once; give it once.`;
      throw new KeysmithError("BAD_REQUEST", message, { fields: { [name]: [message] } });
    }
  }
  return Object.fromEntries(values);
}
