import { createRestHandler } from "@keysmith/rest";

// The documented REST API, served by the same framework-free handler that
// apps/api mounts; it answers 404/405 itself, in the documented envelope.
const handler = createRestHandler({ basePath: "/api/v1" });

export { handler as DELETE, handler as GET, handler as PATCH, handler as POST, handler as PUT };
