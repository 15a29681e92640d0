// Desktop products: contracts and lines, seat holders, activation method and its switch planner;
// org admins also manage contracts here. Team admins see their teams' contracts only.
import { PageHeader } from '../components.js';
import { useSession } from '../session.js';
import { ContractLines } from './contract-lines.js';
import { ScheduledSwitches } from './switch-planner.js';

export function ProductsPage() {
  const { isAdmin } = useSession();
  return (
    <div>
      <PageHeader title="Products" />
      {isAdmin && <ScheduledSwitches />}
      <ContractLines kind="desktop" />
    </div>
  );
}
