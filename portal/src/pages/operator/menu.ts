import { h } from '../../dom';
import { t, type MessageKey } from '../../i18n';
import { link } from '../../router';

/** 運営メニュー: the console's entries, shown on the main menu to operators only. */
export function operatorMenu(): HTMLElement {
  const entry = (path: string, key: MessageKey) => h('li', {}, link(path, key, 'menu-link'));
  return h('nav', { class: 'menu', 'aria-labelledby': 'operator-menu-heading' },
    h('h2', { id: 'operator-menu-heading' }, t('opMenuHeading')),
    h('ul', {},
      entry('/operator/inventory', 'opInventoryHeading'),
      entry('/operator/gateways', 'opLookupHeading'),
      entry('/operator/notices', 'opNoticesHeading'),
      entry('/operator/audit-log', 'opAuditHeading'),
      entry('/operator/queues', 'opQueuesHeading'),
      entry('/operator/operators', 'opOperatorsHeading')));
}
