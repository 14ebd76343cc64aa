import type { Metadata, Viewport } from "next";
import Link from "next/link";

import { LogoutButton } from "~/components/logout-button.tsx";
import { currentUser } from "~/server/context.ts";
import { TRPCReactProvider } from "~/trpc/react.tsx";

import "./globals.css";

export const metadata: Metadata = {
  // each page names itself: "Log in · Keysmith"
  title: { template: "%s · Keysmith", default: "Keysmith" },
  description: "API keys for your platform's users: issue, list, roll, revoke and verify them.",
};

export const viewport: Viewport = {
  colorScheme: "light dark",
  themeColor: [
    { media: "(prefers-color-scheme: light)", color: "#ffffff" },
    { media: "(prefers-color-scheme: dark)", color: "#1a1e24" },
  ],
};

export default async function RootLayout({ children }: { children: React.ReactNode }) {
  const user = await currentUser();
  return (
    <html lang="en">
      <body>
        <a className="skip-link" href="#main">
          Skip to content
        </a>
        <TRPCReactProvider>
          <header className="topbar">
            <Link href="/" className="brand">
              Keysmith
            </Link>
            <nav aria-label="Main">
              <Link href="/docs/api">API reference</Link>
              {user ? (
                <>
                  <Link href="/keys">API keys</Link>
                  <Link href="/activity">Activity</Link>
                  <span className="whoami" title={user.username}>
                    {user.username}
                  </span>
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
          <main className="page" id="main" tabIndex={-1}>
            {children}
          </main>
        </TRPCReactProvider>
      </body>
    </html>
  );
}
