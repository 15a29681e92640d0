// Who is signed in, which organization the portal is looking at, and what they manage there:
// the whole organization (owner, admin), the teams they administer (team admin), or nothing.
import { createContext, type ComponentChildren } from 'preact';
import { useCallback, useContext, useEffect, useMemo, useState } from 'preact/hooks';
import type { Me, OrgMembershipView } from '../../../shared/api/auth.js';
import type { TeamList, TeamView } from '../../../shared/api/teams.js';
import { ApiError, SESSION_ENDED, api, orgPath } from './api.js';
import { toApiError } from './hooks.js';

export interface Session {
  /** undefined while loading (or when loading failed: see `loadError`), null when signed out */
  me: Me | null | undefined;
  /** why the first GET /me failed, other than 401 (server error, no network); `retry` tries again */
  loadError: ApiError | undefined;
  retry(): void;
  org: OrgMembershipView | undefined;
  isAdmin: boolean;
  /** the teams of `org` this account administers; [] for org admins (they manage all); undefined while loading */
  adminTeams: TeamView[] | undefined;
  /** administers at least one team (and is not an org admin) */
  isTeamAdmin: boolean;
  setMe(me: Me | null): void;
  chooseOrg(orgId: string): void;
  refresh(): Promise<Me | null>;
  signOut(): Promise<void>;
}

const Ctx = createContext<Session | null>(null);
const ORG_KEY = 'seatkeeper.org';

export function useSession(): Session {
  const s = useContext(Ctx);
  if (!s) throw new Error('useSession outside SessionProvider');
  return s;
}

/** The session's current organization; only used by pages that render inside one. */
export function useOrg(): OrgMembershipView {
  const { org } = useSession();
  if (!org) throw new Error('useOrg without an organization');
  return org;
}

export const isAdminRole = (role: string | undefined) => role === 'owner' || role === 'admin';

const NONE: TeamView[] = [];

/**
 * The teams `me` administers in `org`. Me carries roles but not team admin rights, so a member
 * asks for their teams (GET /teams lists a member's own teams) and keeps those they administer.
 */
function useAdminTeams(me: Me | null | undefined, org: OrgMembershipView | undefined, tick: number): TeamView[] | undefined {
  const key = me && org && !isAdminRole(org.role) ? `${org.orgId}|${me.account.id}` : null;
  const [found, setFound] = useState<{ key: string; teams: TeamView[] } | undefined>(undefined);
  useEffect(() => {
    if (!key || !me || !org) return;
    let current = true;
    api.get<TeamList>(orgPath(org.orgId, '/teams')).then(
      (r) => current && setFound({ key, teams: r.teams.filter((t) => t.adminIds.includes(me.account.id)) }),
      () => current && setFound({ key, teams: [] }),
    );
    return () => void (current = false);
  }, [key, tick]);
  if (!key) return NONE;
  return found?.key === key ? found.teams : undefined;
}

export function SessionProvider({ children }: { children: ComponentChildren }) {
  const [me, setMe] = useState<Me | null | undefined>(undefined);
  const [orgId, setOrgId] = useState<string | null>(() => localStorage.getItem(ORG_KEY));
  const [tick, setTick] = useState(0);
  const [loadError, setLoadError] = useState<ApiError | undefined>(undefined);

  const refresh = useCallback(async () => {
    setTick((n) => n + 1);
    try {
      const m = await api.get<Me>('/api/v1/me');
      setMe(m);
      return m;
    } catch (e) {
      if (e instanceof ApiError && e.status === 401) {
        setMe(null);
        return null;
      }
      throw e;
    }
  }, []);

  // Only a 401 means signed out; any other failure is shown with a retry, not as a sign-in page.
  const load = useCallback(() => {
    setLoadError(undefined);
    refresh().catch((e: unknown) => setLoadError(toApiError(e)));
  }, [refresh]);

  useEffect(() => {
    load();
    const ended = () => setMe(null);
    window.addEventListener(SESSION_ENDED, ended);
    return () => window.removeEventListener(SESSION_ENDED, ended);
  }, [load]);

  // Prefer the remembered organization, then one this account administers, then any.
  const org = useMemo(() => {
    const orgs = me?.orgs ?? [];
    return orgs.find((o) => o.orgId === orgId) ?? orgs.find((o) => isAdminRole(o.role)) ?? orgs[0];
  }, [me, orgId]);
  const adminTeams = useAdminTeams(me, org, tick);

  const value = useMemo<Session>(
    () => ({
      me,
      loadError,
      retry: load,
      org,
      isAdmin: isAdminRole(org?.role),
      adminTeams,
      isTeamAdmin: !isAdminRole(org?.role) && (adminTeams?.length ?? 0) > 0,
      setMe,
      chooseOrg(id: string) {
        localStorage.setItem(ORG_KEY, id);
        setOrgId(id);
      },
      refresh,
      async signOut() {
        try {
          await api.post('/api/v1/auth/sign-out');
        } finally {
          setMe(null);
        }
      },
    }),
    [me, loadError, load, org, adminTeams, refresh],
  );

  return <Ctx.Provider value={value}>{children}</Ctx.Provider>;
}
