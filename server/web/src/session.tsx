// Who is signed in and which organization the portal is looking at.
import { createContext, type ComponentChildren } from 'preact';
import { useCallback, useContext, useEffect, useMemo, useState } from 'preact/hooks';
import type { Me, OrgMembershipView } from '../../../shared/api/auth.js';
import { ApiError, SESSION_ENDED, api } from './api.js';

export interface Session {
  /** undefined while loading, null when signed out */
  me: Me | null | undefined;
  org: OrgMembershipView | undefined;
  isAdmin: boolean;
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

export function SessionProvider({ children }: { children: ComponentChildren }) {
  const [me, setMe] = useState<Me | null | undefined>(undefined);
  const [orgId, setOrgId] = useState<string | null>(() => localStorage.getItem(ORG_KEY));

  const refresh = useCallback(async () => {
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

  useEffect(() => {
    refresh().catch(() => setMe(null));
    const ended = () => setMe(null);
    window.addEventListener(SESSION_ENDED, ended);
    return () => window.removeEventListener(SESSION_ENDED, ended);
  }, [refresh]);

  const value = useMemo<Session>(() => {
    const orgs = me?.orgs ?? [];
    // Prefer the remembered organization, then one this account administers, then any.
    const org = orgs.find((o) => o.orgId === orgId) ?? orgs.find((o) => isAdminRole(o.role)) ?? orgs[0];
    return {
      me,
      org,
      isAdmin: isAdminRole(org?.role),
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
    };
  }, [me, orgId, refresh]);

  return <Ctx.Provider value={value}>{children}</Ctx.Provider>;
}
