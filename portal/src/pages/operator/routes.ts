import type { Page } from '../../router';
import { auditSearchPage } from './auditSearch';
import { gatewayLookupPage, operatorGatewayPage } from './gatewayLookup';
import { inventoryPage } from './inventory';
import { noticesPage } from './notices';
import { operatorsPage } from './operators';
import { queuesPage } from './queues';

/** The operator console's screens; the API answers them only to the operator role. */
export const operatorPages: Record<string, Page> = {
  '/operator/inventory': inventoryPage,
  '/operator/gateways': gatewayLookupPage,
  '/operator/gateways/view': operatorGatewayPage,
  '/operator/notices': noticesPage,
  '/operator/audit-log': auditSearchPage,
  '/operator/operators': operatorsPage,
  '/operator/queues': queuesPage,
};
