// The shell: who is signed in decides which pages exist; the header carries the navigation.
import type { ComponentChildren } from 'preact';
import { useEffect } from 'preact/hooks';
import { Loading } from './components.js';
import { useAction } from './hooks.js';
import { Link, match, navigate, useLocation } from './router.js';
import { SessionProvider, useSession } from './session.js';
import { AcceptPage } from './pages/accept.js';
import { ActivatePage } from './pages/activate.js';
import { AuditPage } from './pages/audit.js';
import { ClaimDonePage, ClaimPage } from './pages/claim.js';
import { DashboardPage } from './pages/dashboard.js';
import { DevicesPage } from './pages/devices.js';
import { LinkSerialPage } from './pages/link-serial.js';
import { MemberPage } from './pages/member.js';
import { MembersPage } from './pages/members.js';
import { MyProductsPage } from './pages/my-products.js';
import { ProductsPage } from './pages/products.js';
import { RegisterPage } from './pages/register.js';
import { ServicesPage } from './pages/services.js';
import { SignInPage } from './pages/sign-in.js';
import { SwitchPlannerPage } from './pages/switch-planner.js';
import { TeamsPage } from './pages/teams.js';

export function App() {
  return (
    <SessionProvider>
      <Shell />
    </SessionProvider>
  );
}


function Redirect({ to }: { to: string }) {
  useEffect(() => navigate(to, { replace: true }), [to]);
  return null;
}

function Shell() {
  const { me, org, isAdmin } = useSession();
  const { path, query } = useLocation();
  if (me === undefined) return <Loading what="Seatkeeper" />;
  // Same place in the tree signed in or out, so accepting (which signs in) keeps the page's state.
  if (path === '/accept') return <Frame nav={!!me}>{<AcceptPage />}</Frame>;

  if (!me) {
    if (path === '/sign-in') return <Frame>{<SignInPage />}</Frame>;
    if (path === '/register') return <Frame>{<RegisterPage />}</Frame>;
    const next = path === '/' ? '' : `?next=${encodeURIComponent(path + location.search)}`;
    return <Redirect to={`/sign-in${next}`} />;
  }
  if (path === '/sign-in' || path === '/register') return <Redirect to={safeNext(query.get('next'))} />;

  const page = route(path, { hasOrg: !!org, claimed: !!org?.claimed, isAdmin });
  return <Frame nav>{page}</Frame>;
}

/** Only same-site paths: a `next` pointing elsewhere would be an open redirect. */
function safeNext(next: string | null): string {
  return next && next.startsWith('/') && !next.startsWith('//') ? next : '/';
}

function route(path: string, who: { hasOrg: boolean; claimed: boolean; isAdmin: boolean }): ComponentChildren {
  if (path === '/activate') return <ActivatePage />;
  if (path === '/link-serial') return <LinkSerialPage />;
  if (!who.hasOrg) return path === '/' ? <Redirect to="/link-serial" /> : <NotFound />;
  if (path === '/claim') return <ClaimPage />;
  if (path === '/claim/done') return <ClaimDonePage />;
  if (path === '/') return <Redirect to={who.isAdmin ? '/dashboard' : who.claimed ? '/my-products' : '/claim'} />;
  if (path === '/my-products') return <MyProductsPage />;
  const admin: Array<[string, (p: Record<string, string>) => ComponentChildren]> = [
    ['/dashboard', () => <DashboardPage />],
    ['/members', () => <MembersPage />],
    ['/members/:accountId', (p) => <MemberPage accountId={p.accountId!} />],
    ['/products', () => <ProductsPage />],
    ['/products/lines/:lineId/switch', (p) => <SwitchPlannerPage lineId={p.lineId!} />],
    ['/services', () => <ServicesPage />],
    ['/teams', () => <TeamsPage />],
    ['/devices', () => <DevicesPage />],
    ['/audit', () => <AuditPage />],
  ];
  for (const [pattern, render] of admin) {
    const params = match(pattern, path);
    if (!params) continue;
    if (!who.isAdmin) return <AdminsOnly />;
    return render(params);
  }
  return <NotFound />;
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
      <header class="top">
        <a class="brand" href="/" onClick={(e) => (e.preventDefault(), navigate('/'))}>
          Seatkeeper
        </a>
        {nav && <Nav />}
      </header>
      <main>{children}</main>
    </>
  );
}

function Nav() {
  const { me, org, isAdmin, chooseOrg, signOut } = useSession();
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
            <Link href="/audit">Audit log</Link>
          </>
        )}
        {org && <Link href="/my-products">My products</Link>}
        <Link href="/activate">Activate</Link>
      </nav>
      <div class="who">
        {me.orgs.length > 1 ? (
          <label>
            <span class="sr-only">Organization</span>
            <select value={org?.orgId} onChange={(e) => (chooseOrg(e.currentTarget.value), navigate('/'))}>
              {me.orgs.map((o) => (
                <option value={o.orgId}>{o.orgName}</option>
              ))}
            </select>
          </label>
        ) : (
          org && (
            <span class="org-name" title={org.orgName}>
              {org.orgName}
            </span>
          )
        )}
        <span class="me" title={me.account.email}>
          {me.account.name}
        </span>
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
