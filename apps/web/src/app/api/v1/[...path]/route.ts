import { createRestHandler } from "@keysmith/rest";

// The documented REST API, served by the same framework-free handler that
// apps/api mounts; it answers 404/405 itself, in the documented envelope.
const rest = createRestHandler({ basePath: "/api/v1" });

// Next passes (request, {params}); the handler's optional second argument is
// something else, so hand it the request alone.
function handler(request: Request) {
  return rest(request);
}

export { handler as DELETE, handler as GET, handler as PATCH, handler as POST, handler as PUT };
