import type { Metadata } from "next";

import { TRPCReactProvider } from "~/trpc/react.tsx";

import "./globals.css";

export const metadata: Metadata = {
  title: "Keysmith",
  description: "API keys for your platform's users: issue, list, revoke and verify.",
};

export default function RootLayout({ children }: { children: React.ReactNode }) {
  return (
    <html lang="en">
      <body>
        <TRPCReactProvider>
          <header className="topbar">
            <a href="/" className="brand">
              Keysmith
            </a>
          </header>
          <main className="page">{children}</main>
        </TRPCReactProvider>
      </body>
    </html>
  );
}
