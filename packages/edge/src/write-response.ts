import { type ServerResponse } from "node:http";

/** Writes a fetch Response (the API's, the envelope's) to a Node response, whole. */
export async function writeResponse(res: ServerResponse, response: Response): Promise<void> {
  const body = await response.text();
  res.writeHead(response.status, Object.fromEntries(response.headers));
  res.end(body);
}
