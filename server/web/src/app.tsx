// The shell: who is signed in decides which pages exist; the header carries the navigation.
import type { ComponentChildren } from 'preact';
import { useEffect, useId } from 'preact/hooks';
import { LiveRegion, useFocusHeadingOnNavigation, useFocusKeeper, useTitleFromHeading } from './a11y.js';
import { ErrorNote, Loading } from './components.js';
import { useAction } from './hooks.js';
import { Link, match, navigate, useLocation } from './router.js';
import { SessionProvider, useSession } from './session.js';
import { AcceptPage } from './pages/accept.js';
import { AccountPage } from './pages/account.js';
import { ChangePasswordPage } from './pages/change-password.js';
import { ActivatePage } from './pages/activate.js';
import { AuditPage } from './pages/audit.js';
import { ClaimDonePage, ClaimPage } from './pages/claim.js';
import { DashboardPage } from './pages/dashboard.js';
import { DevicesPage } from './pages/devices.js';
import { ImportPage } from './pages/import.js';
import { LinkSerialPage } from './pages/link-serial.js';
import { ForgotPasswordPage, ResetPasswordPage, VerifyEmailPage } from './pages/mail-links.js';
import { MemberPage } from './pages/member.js';
import { MembersPage } from './pages/members.js';
import { MyProductsPage } from './pages/my-products.js';
import { ProductsPage } from './pages/products.js';
import { RegisterPage } from './pages/register.js';
import { ServicesPage } from './pages/services.js';
import { SignInPage } from './pages/sign-in.js';
import { SwitchPlannerPage } from './pages/switch-planner.js';
import { TeamsPage } from './pages/teams.js';
import { UsageReportPage } from './pages/usage-report.js';
import { WebhooksPage } from './pages/webhooks.js';
import { SeatUsePage } from './pages/seat-use.js';

export function App() {
  return (
    <SessionProvider>
      <Shell />
      <LiveRegion />
    </SessionProvider>
  );
}

function Redirect({ to }: { to: string }) {
  useEffect(() => navigate(to, { replace: true }), [to]);
  return null;
}

function Shell() {
  const { me, loadError, org, isAdmin, isTeamAdmin, adminTeams } = useSession();
  const { path, query } = useLocation();
  useTitleFromHeading();
  useFocusHeadingOnNavigation(path);
  useFocusKeeper();
  if (me === undefined) return loadError ? <Frame>{<LoadFailed />}</Frame> : <Loading what="Seatkeeper" />;
  // Same place in the tree signed in or out, so accepting (which signs in) keeps the page's state.
  if (path === '/accept') return <Frame nav={!!me}>{<AcceptPage />}</Frame>;
  // The pages the server's mails link to work signed in or out.
  if (path === '/verify-email') return <Frame nav={!!me}>{<VerifyEmailPage />}</Frame>;
  if (path === '/reset-password') return <Frame nav={!!me}>{<ResetPasswordPage />}</Frame>;
  if (path === '/forgot-password') return <Frame nav={!!me}>{<ForgotPasswordPage />}</Frame>;

  if (!me) {
    if (path === '/sign-in') return <Frame>{<SignInPage />}</Frame>;
    if (path === '/register') return <Frame>{<RegisterPage />}</Frame>;
    const next = path === '/' ? '' : `?next=${encodeURIComponent(path + location.search)}`;
    return <Redirect to={`/sign-in${next}`} />;
  }
  if (path === '/sign-in' || path === '/register') return <Redirect to={safeNext(query.get('next'))} />;

  // Which pages exist depends on the teams this member administers: wait for them.
  if (adminTeams === undefined) return <Frame nav>{<Loading what="your teams" />}</Frame>;
  const page = route(path, { hasOrg: !!org, claimed: !!org?.claimed, isAdmin, isTeamAdmin });
  return <Frame nav>{page}</Frame>;
}

/** Only same-site paths: a `next` pointing elsewhere would be an open redirect. */
function safeNext(next: string | null): string {
  return next && next.startsWith('/') && !next.startsWith('//') ? next : '/';
}

interface Who {
  hasOrg: boolean;
  claimed: boolean;
  isAdmin: boolean;
  isTeamAdmin: boolean;
}

type Render = (p: Record<string, string>) => ComponentChildren;

/** Pages for administrators; `teams: true` ones also serve team admins, scoped to their teams. */
const managed: Array<{ pattern: string; render: Render; teams?: boolean }> = [
  { pattern: '/dashboard', render: () => <DashboardPage /> },
  { pattern: '/members', render: () => <MembersPage />, teams: true },
  { pattern: '/members/:accountId', render: (p) => <MemberPage accountId={p.accountId!} />, teams: true },
  { pattern: '/products', render: () => <ProductsPage />, teams: true },
  { pattern: '/products/lines/:lineId/switch', render: (p) => <SwitchPlannerPage lineId={p.lineId!} /> },
  { pattern: '/services', render: () => <ServicesPage />, teams: true },
  { pattern: '/teams', render: () => <TeamsPage /> },
  { pattern: '/devices', render: () => <DevicesPage /> },
  { pattern: '/audit', render: () => <AuditPage /> },
  { pattern: '/import', render: () => <ImportPage /> },
  { pattern: '/reports/usage', render: () => <UsageReportPage /> },
  { pattern: '/webhooks', render: () => <WebhooksPage /> },
  { pattern: '/reports/seat-use', render: () => <SeatUsePage /> },
];

function route(path: string, who: Who): ComponentChildren {
  if (path === '/activate') return <ActivatePage />;
  if (path === '/link-serial') return <LinkSerialPage />;
  if (path === '/account') return <AccountPage />;
  if (path === '/account/password') return <ChangePasswordPage />;
  if (!who.hasOrg) return path === '/' ? <Redirect to="/link-serial" /> : <NotFound />;
  if (path === '/claim') return <ClaimPage />;
  if (path === '/claim/done') return <ClaimDonePage />;
  if (path === '/') return <Redirect to={who.isAdmin ? '/dashboard' : who.isTeamAdmin ? '/members' : who.claimed ? '/my-products' : '/claim'} />;
  if (path === '/my-products') return <MyProductsPage />;
  for (const { pattern, render, teams } of managed) {
    const params = match(pattern, path);
    if (!params) continue;
    if (!who.isAdmin && !(teams && who.isTeamAdmin)) return <AdminsOnly />;
    return render(params);
  }
  return <NotFound />;
}

/** Who is signed in could not be found out (server error, no network): not the same as signed out. */
function LoadFailed() {
  const { loadError, retry } = useSession();
  return (
    <section class="narrow card">
      <h1>Seatkeeper could not load</h1>
      <ErrorNote error={loadError}>
        <button type="button" onClick={retry}>
          Try again
        </button>
      </ErrorNote>
    </section>
  );
}

function NotFound() {
  return (
    <section class="narrow">
      <h1>Page not found</h1>
      <p>
        There is no page at <code>{location.pathname}</code>. <Link href="/">Go to the start page</Link>.
      </p>
    </section>
  );
}

function AdminsOnly() {
  return (
    <section class="narrow">
      <h1>For administrators</h1>
      <p>
        Only administrators of this organization see this page. <Link href="/my-products">See your products</Link>.
      </p>
    </section>
  );
}

function Frame({ nav, children }: { nav?: boolean; children: ComponentChildren }) {
  return (
    <>
      <a class="skip-link" href="#main" onClick={(e) => (e.preventDefault(), document.getElementById('main')?.focus())}>
        Skip to main content
      </a>
      <header class="top">
        <a class="brand" href="/" onClick={(e) => (e.preventDefault(), navigate('/'))}>
          Seatkeeper
        </a>
        {nav && <Nav />}
      </header>
      <main id="main" tabIndex={-1}>
        {children}
      </main>
    </>
  );
}

function Nav() {
  const { me, org, isAdmin, isTeamAdmin, chooseOrg, signOut } = useSession();
  const orgSelect = useId();
  const out = useAction(async () => {
    await signOut();
    navigate('/sign-in');
  });
  if (!me) return null;
  return (
    <>
      <nav aria-label="Main">
        {org && isAdmin && (
          <>
            <Link href="/dashboard">Dashboard</Link>
            <Link href="/members">Members</Link>
            <Link href="/products">Products</Link>
            <Link href="/services">Services</Link>
            <Link href="/teams">Teams</Link>
            <Link href="/devices">Devices</Link>
            <Link href="/reports/usage">Usage</Link>
            <Link href="/reports/seat-use">Idle &amp; denials</Link>
            <Link href="/audit">Audit log</Link>
            <Link href="/webhooks">Webhooks</Link>
            <Link href="/import">Import</Link>
          </>
        )}
        {org && isTeamAdmin && (
          <>
            <Link href="/members">Team members</Link>
            <Link href="/products">Products</Link>
            <Link href="/services">Services</Link>
          </>
        )}
        {org && <Link href="/my-products">My products</Link>}
        <Link href="/activate">Activate</Link>
      </nav>
      <div class="who">
        {me.orgs.length > 1 ? (
          <>
            <label for={orgSelect} class="sr-only">
              Organization
            </label>
            <select id={orgSelect} value={org?.orgId} onChange={(e) => (chooseOrg(e.currentTarget.value), navigate('/'))}>
              {me.orgs.map((o) => (
                <option value={o.orgId}>{o.orgName}</option>
              ))}
            </select>
          </>
        ) : (
          org && (
            <span class="org-name" title={org.orgName}>
              {org.orgName}
            </span>
          )
        )}
        {/* The visible name starts the link's name (WCAG 2.5.3); what it leads to follows for screen readers. */}
        <Link href="/account" class="me" title={me.account.email}>
          {me.account.name}
          <span class="sr-only"> (my account)</span>
        </Link>
        <button type="button" class="link" onClick={() => void out.run()} disabled={out.pending}>
          Sign out
        </button>
        {out.error && (
          <span class="error inline" role="alert">
            {out.error.message}
          </span>
        )}
      </div>
    </>
  );
}
