// Devices: enrolled workstations (online or not, last seen, who is signed in, installed products,
// leases), revoking one; and the enrollment tokens that let new workstations join.
import { useState } from 'preact/hooks';
import type { DeviceList, DeviceView, RescanReply } from '../../../../shared/api/devices.js';
import type { CreateEnrollmentTokenBody, CreatedEnrollmentToken, EnrollmentTokenList, EnrollmentTokenView } from '../../../../shared/api/enrollment.js';
import { api, orgPath } from '../api.js';
import { ConfirmButton, CreateForm, Empty, ErrorNote, Field, Loading, PageHeader, RowError, Select, ShownOnce, TableHead, ScrollBox } from '../components.js';
import { ago, dateTime } from '../format.js';
import { useAction, useApi } from '../hooks.js';
import { useOrg } from '../session.js';

export function DevicesPage() {
  const org = useOrg();
  const devices = useApi<DeviceList>(orgPath(org.orgId, '/devices'));
  return (
    <div>
      <PageHeader title="Devices">
        <button type="button" onClick={() => void devices.reload()} disabled={devices.loading}>
          Refresh
        </button>
      </PageHeader>
      <ErrorNote error={devices.error} />
      {!devices.data ? (
        !devices.error && <Loading what="devices" />
      ) : devices.data.devices.length === 0 ? (
        <Empty>No workstation is enrolled yet. Create an enrollment token below and run the install command on each workstation.</Empty>
      ) : (
        <ScrollBox label="Devices"><table class="devices">
          <TableHead cols={['Device', 'Status', 'Signed in', 'Installed products', 'Leases']} actions />
          <tbody>
            {devices.data.devices.map((d) => (
              <DeviceRow key={d.id} d={d} reload={devices.reload} />
            ))}
          </tbody>
        </table></ScrollBox>
      )}
      <EnrollmentTokens />
    </div>
  );
}

function DeviceRow({ d, reload }: { d: DeviceView; reload(): Promise<void> }) {
  const org = useOrg();
  const revoke = useAction(async () => {
    await api.post(orgPath(org.orgId, `/devices/${d.id}/revoke`));
    await reload();
  });
  const [rescan, setRescan] = useState<RescanReply | undefined>(undefined);
  const askRescan = useAction(async () => setRescan(await api.post<RescanReply>(orgPath(org.orgId, `/devices/${d.id}/rescan`))));
  const error = revoke.error ?? askRescan.error;
  return (
    <>
      <tr data-device={d.hostname}>
        <td>
          <strong>{d.hostname}</strong>
          <br />
          <small class="muted">
            {d.os.distro || d.os.platform} {d.os.release} · agent {d.agentVersion} · enrolled {dateTime(d.enrolledAt)}
          </small>
        </td>
        <td data-col="status">
          {d.revokedAt ? (
            <span class="badge revoke">revoked {ago(d.revokedAt)}</span>
          ) : d.online ? (
            <span class="badge online">online</span>
          ) : (
            <span class="badge offline">offline · seen {ago(d.lastSeenAt)}</span>
          )}
        </td>
        <td data-col="signed-in">{d.signedInAccount ? d.signedInAccount.email : <span class="muted">nobody</span>}</td>
        <td data-col="installed">{d.inventory.length ? d.inventory.map((i) => `${i.productCode}${i.version ? ` ${i.version}` : ''}`).join(', ') : <span class="muted">none detected</span>}</td>
        <td data-col="leases">{d.leases.length ? d.leases.map((l) => l.productCode).join(', ') : <span class="muted">none</span>}</td>
        <td class="actions">
          {!d.revokedAt && (
            <button type="button" disabled={askRescan.pending} onClick={() => void askRescan.run()}>
              Rescan products
            </button>
          )}{' '}
          {!d.revokedAt && (
            <ConfirmButton
              label="Revoke device"
              question={`Revoke ${d.hostname}? Its leases end now and it must enroll again.`}
              confirmLabel="Yes, revoke"
              disabled={revoke.pending}
              onConfirm={() => void revoke.run()}
            />
          )}
        </td>
      </tr>
      {rescan && (
        <tr>
          <td colSpan={6} class="muted" role="status">
            {rescan.online ? `${d.hostname} is scanning for installed products now; refresh in a moment.` : `${d.hostname} is offline; it scans when it next connects.`}
          </td>
        </tr>
      )}
      <RowError error={error} cols={6} />
    </>
  );
}

function EnrollmentTokens() {
  const org = useOrg();
  const tokens = useApi<EnrollmentTokenList>(orgPath(org.orgId, '/enrollment-tokens'));
  const [name, setName] = useState('');
  const [hours, setHours] = useState('168');
  const [created, setCreated] = useState<CreatedEnrollmentToken | undefined>(undefined);
  const create = useAction(async () => {
    setCreated(await api.post<CreatedEnrollmentToken>(orgPath(org.orgId, '/enrollment-tokens'), { name, expiresInHours: Number(hours) } satisfies CreateEnrollmentTokenBody));
    setName('');
    await tokens.reload();
  });
  return (
    <section>
      <h2>Enrollment tokens</h2>
      <p class="aside">A token lets workstations enroll into {org.orgName}. Make one per rollout; it expires, and you can revoke it.</p>
      <CreateForm label="Create an enrollment token" submit="Create token" action={create} onSubmit={create.run}>
        <Field label="Token name" name="token-name" required placeholder="e.g. Design office rollout" value={name} onInput={(e) => setName(e.currentTarget.value)} />
        <Select label="Valid for" value={hours} onChange={(e) => setHours(e.currentTarget.value)}>
          <option value="24">1 day</option>
          <option value="168">7 days</option>
          <option value="720">30 days</option>
          <option value="2160">90 days</option>
        </Select>
      </CreateForm>
      {created && (
        <ShownOnce
          name={created.name}
          note="This is the only time it is shown: run this on each workstation, as administrator/root."
          secret={created.installCommand}
          copyLabel="Copy install command"
        />
      )}
      <ErrorNote error={tokens.error} />
      {tokens.data &&
        (tokens.data.tokens.length === 0 ? (
          <Empty>No enrollment tokens.</Empty>
        ) : (
          <ScrollBox label="Enrollment tokens"><table class="tokens">
            <TableHead cols={['Name', 'Status', 'Used', 'Expires']} actions />
            <tbody>
              {tokens.data.tokens.map((t) => (
                <TokenRow key={t.id} t={t} reload={tokens.reload} />
              ))}
            </tbody>
          </table></ScrollBox>
        ))}
    </section>
  );
}

/** One enrollment token; a failed revoke shows in its own row, like a device's. */
function TokenRow({ t, reload }: { t: EnrollmentTokenView; reload(): Promise<void> }) {
  const org = useOrg();
  const revoke = useAction(async () => {
    await api.del(orgPath(org.orgId, `/enrollment-tokens/${t.id}`));
    await reload();
  });
  return (
    <>
      <tr data-token={t.name}>
        <td>{t.name}</td>
        <td data-col="status">{t.status}</td>
        <td>{t.uses === 1 ? '1 device' : `${t.uses} devices`}</td>
        <td data-col="expires">{dateTime(t.expiresAt)}</td>
        <td class="actions">
          {t.status === 'active' && (
            <ConfirmButton
              label="Revoke"
              question={`Revoke ${t.name}? Workstations can no longer enroll with it.`}
              confirmLabel="Yes, revoke"
              disabled={revoke.pending}
              onConfirm={() => void revoke.run()}
            />
          )}
        </td>
      </tr>
      <RowError error={revoke.error} cols={5} />
    </>
  );
}
