import { login } from "@keysmith/auth";
import { SessionKind } from "@keysmith/db";
import { ZLoginResponseData } from "@keysmith/validators";

import { success } from "../envelope.ts";
import { readBody } from "../read-body.ts";
import { type Route } from "../route.ts";

/** POST /login: the documented response, with an access token valid 2 hours. */
export const loginRoute: Route = {
  method: "POST",
  path: "/login",
  auth: false,
  async handle({ request, clientAddress, now }) {
    const body = await readBody(request);
    const { user, token } = await login(body, SessionKind.ACCESS_TOKEN, { clientAddress, now });
    const data = ZLoginResponseData.parse({
      id: user.id,
      name: user.name,
      email: user.email,
      is_staff: user.isStaff,
      is_active: user.isActive,
      jwtToken: token,
    });
    return success(data, "Login successful");
  },
};
