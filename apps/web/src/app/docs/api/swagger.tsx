"use client";

import Script from "next/script";

declare global {
  interface Window {
    SwaggerUIBundle?: (options: Record<string, unknown>) => unknown;
  }
}

/** Swagger UI over the generated document; requests go to this origin with the session cookie. */
export function Swagger() {
  return (
    <>
      <link rel="stylesheet" href="/docs/api/assets/swagger-ui.css" />
      <div id="swagger" />
      <Script
        src="/docs/api/assets/swagger-ui-bundle.js"
        strategy="afterInteractive"
        onReady={() => {
          window.SwaggerUIBundle?.({
            url: "/api/v1/openapi.json",
            dom_id: "#swagger",
            deepLinking: true,
            // send the dashboard's session cookie, so a signed-in person can try requests at once
            withCredentials: true,
            persistAuthorization: true,
          });
        }}
      />
    </>
  );
}
