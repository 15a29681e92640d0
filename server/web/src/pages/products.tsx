// Desktop products: contracts and lines, seat holders, activation method and its switch planner.
import { PageHeader } from '../components.js';
import { ContractLines } from './contract-lines.js';
import { ScheduledSwitches } from './switch-planner.js';

export function ProductsPage() {
  return (
    <div>
      <PageHeader title="Products" />
      <ScheduledSwitches />
      <ContractLines kind="desktop" />
    </div>
  );
}
