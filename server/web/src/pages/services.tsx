// Services: subscriptions with nothing installed (kind 'service'); seats are assigned like products.
import { PageHeader } from '../components.js';
import { ContractLines } from './contract-lines.js';

export function ServicesPage() {
  return (
    <div>
      <PageHeader title="Services" />
      <p class="aside">Subscriptions with nothing to install: an assigned seat is the access.</p>
      <ContractLines kind="service" />
    </div>
  );
}
