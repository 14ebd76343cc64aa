import { login } from "@keysmith/auth";
import { SessionKind } from "@keysmith/db";
import { ZLoginInput, ZLoginResponseData } from "@keysmith/validators";

import { success } from "../envelope.ts";
import { readBody } from "../read-body.ts";
import { type Route } from "../route.ts";

/** POST /login: the documented response, with an access token valid 2 hours. */
export const loginRoute: Route = {
  method: "POST",
  path: "/login",
  auth: false,
  doc: {
    summary: "Log in",
    description: "Takes a username or email and a password (JSON or form data); answers the user and an access token valid for 2 hours.",
    body: ZLoginInput,
    data: ZLoginResponseData,
    status: 200,
    message: "Login successful",
    errors: [400, 401, 403, 413, 415, 429],
    requestExample: { username: "testuser", password: "correct horse battery staple" },
    responseExample: {
      data: { id: 18, name: "Test User", email: "testemail@gmail.com", is_staff: false, is_active: true, jwtToken: "eyJ..." },
      message: "Login successful",
      status: "success",
    },
  },
  async handle({ request, clientAddress, now }) {
    const body = await readBody(request);
    const { user, token } = await login(body, SessionKind.ACCESS_TOKEN, { clientAddress, userAgent: request.headers.get("user-agent"), now });
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
