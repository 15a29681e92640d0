// What the signed-in person may use in this organization, and how each product activates.
import type { MyProducts } from '../../../../shared/api/assignments.js';
import { orgPath } from '../api.js';
import { Empty, ErrorNote, Loading, PageHeader, ScrollBox } from '../components.js';
import { dateTime, methodLabel } from '../format.js';
import { useApi } from '../hooks.js';
import { Link } from '../router.js';
import { useOrg } from '../session.js';

export function MyProductsPage() {
  const org = useOrg();
  const mine = useApi<MyProducts>(orgPath(org.orgId, '/me/products'));
  return (
    <div>
      <PageHeader title="My products" />
      <p class="aside">
        In {org.orgName}. To use a product on a workstation, sign in on its Seatkeeper agent and enter the code it shows on <Link href="/activate">Activate a device</Link>.
      </p>
      <ErrorNote error={mine.error} />
      {!mine.data ? (
        !mine.error && <Loading what="your products" />
      ) : mine.data.products.length === 0 ? (
        <Empty>Nothing is assigned to you yet. Ask an administrator of {org.orgName}.</Empty>
      ) : (
        <ScrollBox label="My products"><table class="my-products">
          <thead>
            <tr>
              <th scope="col">Product</th>
              <th scope="col">Activation method</th>
              <th scope="col">Access</th>
              <th scope="col">Contract</th>
              <th scope="col">How to use it</th>
            </tr>
          </thead>
          <tbody>
            {mine.data.products.map((p) => (
              <tr key={p.lineId} data-product={p.productCode}>
                <td>
                  <strong>{p.productName}</strong> <span class="code">{p.productCode}</span>
                  {p.kind === 'service' && <span class="badge"> service</span>}
                </td>
                <td data-col="method">{methodLabel(p.method)}</td>
                <td>{p.access === 'assigned' ? `Assigned ${dateTime(p.assignedAt)}` : 'Serial number'}</td>
                <td>
                  {p.contractNumber}
                  {!p.active && <span class="badge offline"> not in force</span>}
                </td>
                <td>{p.note}</td>
              </tr>
            ))}
          </tbody>
        </table></ScrollBox>
      )}
      <p class="aside">
        Work for another organization too? <Link href="/link-serial">Link it with a serial number</Link>.
      </p>
    </div>
  );
}
