import { readFile } from "node:fs/promises";
import path from "node:path";

// Swagger UI's own files, from the npm package, served by this app: a
// deployment may be offline, so nothing is fetched from a CDN.
const FILES: Record<string, string> = {
  "swagger-ui-bundle.js": "text/javascript; charset=utf-8",
  "swagger-ui.css": "text/css; charset=utf-8",
};

// Next runs with the app's folder as working directory (pnpm links the package
// into its node_modules); require.resolve would be rewritten by the bundler.
const packageDir = path.join(process.cwd(), "node_modules", "swagger-ui-dist");

export async function GET(_request: Request, context: { params: Promise<{ file: string }> }) {
  const { file } = await context.params;
  const type = FILES[file];
  if (!type) return new Response("Not found", { status: 404 });
  return new Response(await readFile(path.join(packageDir, file)), {
    headers: { "content-type": type, "cache-control": "public, max-age=86400" },
  });
}
