// The "first moment of truth": the first person linked to an unclaimed organization confirms its
// name, accepts the terms and their responsibility, and becomes its administrator.
import { useState } from 'preact/hooks';
import { announce } from '../a11y.js';
import type { ClaimBody, ClaimInfo } from '../../../../shared/api/claim.js';
import { api, orgPath } from '../api.js';
import { Check, ErrorNote, Field, Form, Loading, Submit } from '../components.js';
import { useAction, useApi } from '../hooks.js';
import { Link, navigate } from '../router.js';
import { useOrg, useSession } from '../session.js';

export function ClaimPage() {
  const org = useOrg();
  const { me, refresh } = useSession();
  const resend = useAction(async () => {
    await api.post('/api/v1/me/verification');
    announce(`Verification mail sent to ${me?.account.email}.`);
    return true;
  });
  const info = useApi<ClaimInfo>(orgPath(org.orgId, '/claim'));
  const [typed, setTyped] = useState('');
  const [terms, setTerms] = useState(false);
  const [responsible, setResponsible] = useState(false);
  const claim = useAction(async (orgName: string) => {
    await api.post(orgPath(org.orgId, '/claim'), { confirmOrgName: orgName, acceptTerms: terms, responsibleForLicenses: responsible } satisfies ClaimBody);
    await refresh();
    navigate('/claim/done');
  });

  if (info.error) return <ErrorNote error={info.error} />;
  if (!info.data) return <Loading what="your organization" />;
  const { orgName, claimed, canClaim, termsUrl } = info.data;
  // Compared as the server compares: exactly, case included (spaces around aside).
  const nameMatches = typed.trim() === orgName.trim();
  if (claimed || !canClaim) {
    return (
      <section class="narrow card">
        <h1>{orgName}</h1>
        <p>
          {claimed
            ? `${orgName} already has an administrator. Ask them to assign you the products you need.`
            : 'You cannot claim this organization.'}
        </p>
        <p>
          <Link href="/my-products">See your products</Link>
        </p>
      </section>
    );
  }
  return (
    <section class="narrow card claim">
      <p class="eyebrow">Your serial number belongs to</p>
      <h1 class="org-title">{orgName}</h1>
      <p>
        Nobody administers <strong>{orgName}</strong>'s licenses in Seatkeeper yet. If this is your organization and you are the one who
        looks after its licenses, promote yourself to administrator. You can appoint other administrators afterwards.
      </p>
      {me?.account.emailVerified === false && (
        <div class="warning" data-unverified>
          <p>
            Claiming needs a verified address: follow the link in the mail sent to <strong>{me.account.email}</strong>.{' '}
            <button type="button" class="link" disabled={resend.pending} onClick={() => void resend.run()}>
              Send it again
            </button>
          </p>
          <ErrorNote error={resend.error} />
        </div>
      )}
      <Form onSubmit={() => claim.run(typed)} label="Claim">
        <Field
          label="Type the organization's name to confirm"
          name="confirm-org-name"
          autocomplete="off"
          required
          hint={`Exactly as shown, capitals included: ${orgName}`}
          value={typed}
          onInput={(e) => setTyped(e.currentTarget.value)}
        />
        <Check
          label={
            termsUrl ? (
              <>
                I accept the{' '}
                <a href={termsUrl} target="_blank" rel="noopener noreferrer">
                  terms and conditions of use
                </a>
                .
              </>
            ) : (
              'I accept the terms and conditions of use.'
            )
          }
          checked={terms}
          onChange={setTerms}
        />
        <Check label={`I am responsible for assigning and managing ${orgName}'s products.`} checked={responsible} onChange={setResponsible} />
        <Submit action={claim} disabled={!nameMatches || !terms || !responsible}>
          Promote me to administrator
        </Submit>
      </Form>
    </section>
  );
}

export function ClaimDonePage() {
  const { org } = useSession();
  return (
    <section class="narrow card confirmation">
      <h1>You are the administrator of {org?.orgName}</h1>
      <p>From the admin portal you can invite members, assign seats, watch seats in use live and enroll workstations.</p>
      <p>
        <Link class="button primary" href="/dashboard">
          Open the admin portal
        </Link>
      </p>
    </section>
  );
}
