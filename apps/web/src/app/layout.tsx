import type { Metadata } from "next";
import Link from "next/link";

import { LogoutButton } from "~/components/logout-button.tsx";
import { currentUser } from "~/server/context.ts";
import { TRPCReactProvider } from "~/trpc/react.tsx";

import "./globals.css";

export const metadata: Metadata = {
  title: "Keysmith",
  description: "API keys for your platform's users: issue, list, revoke and verify.",
};

export default async function RootLayout({ children }: { children: React.ReactNode }) {
  const user = await currentUser();
  return (
    <html lang="en">
      <body>
        <TRPCReactProvider>
          <header className="topbar">
            <Link href="/" className="brand">
              Keysmith
            </Link>
            <nav>
              <Link href="/docs/api">API reference</Link>
              {user ? (
                <>
                  <Link href="/keys">API keys</Link>
                  <span className="whoami">{user.username}</span>
                  <LogoutButton />
                </>
              ) : (
                <>
                  <Link href="/login">Log in</Link>
                  <Link href="/signup">Sign up</Link>
                </>
              )}
            </nav>
          </header>
          <main className="page">{children}</main>
        </TRPCReactProvider>
      </body>
    </html>
  );
}
