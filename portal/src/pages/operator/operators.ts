import { api } from '../../api';
import { checks } from '../../checks';
import { h } from '../../dom';
import { Form, buttons } from '../../forms';
import { formatDateTime, t } from '../../i18n';
import { link, screen } from '../../router';
import { load, table } from '../shared';
import { doneThen, takeDone } from './flash';

interface OperatorAccount {
  userId: string;
  email: string;
  name: string;
  grantedAt: string | null;
  grantedBy: string | null;
  first: boolean;
}


function actionForm(run: (f: Form) => Promise<void>, required: string[], fields: (f: Form) => HTMLElement[]): Form {
  const form = new Form(async (f) => {
    if (!f.passes((errors) => checks.required(f, errors, ...required))) {
      return;
    }
    try {
      await run(f);
    } catch (error) {
      f.showProblem(error);
    }
  });
  form.add(...fields(form));
  return form;
}

/** 運営アカウントの管理: who the operators are; make an active customer account one, or take the role away, each with a reason. */
export async function operatorsPage(main: HTMLElement): Promise<void> {
  const done = takeDone();
  const title = t('opOperatorsHeading');
  const operators = await load<OperatorAccount[]>(main, title, '/api/operator/operators');
  if (operators === null) {
    return;
  }
  const grant = actionForm(async (f) => {
    await api('POST', '/api/operator/operators', { email: f.value('email'), reason: f.value('reason') });
    doneThen(t('opOperatorsGranted'), '/operator/operators');
  }, ['email', 'reason'], (f) => [
    f.field({ path: 'email', label: 'opOperatorsGrantEmail', required: true, type: 'email', autocomplete: 'off', maxlength: 254 }),
    f.field({ path: 'reason', label: 'opSupportReason', required: true, maxlength: 200 }),
    buttons(h('button', { type: 'submit', class: 'primary' }, t('opOperatorsGrant'))),
  ]);
  const removable = operators.filter((o) => !o.first);
  const revoke = actionForm(async (f) => {
    const userId = encodeURIComponent(f.value('userId'));
    await api('POST', `/api/operator/operators/${userId}/revoke`, { reason: f.value('reason') });
    doneThen(t('opOperatorsRevoked'), '/operator/operators');
  }, ['userId', 'reason'], (f) => [
    f.field({
      path: 'userId', label: 'opOperatorsRevokeWho', required: true, choices: removable.map((o) => o.userId), choicePlaceholder: 'opOperatorsRevokeChoose',
      choiceLabels: Object.fromEntries(removable.map((o) => [o.userId, `${o.name} (${o.email})`])),
    }),
    f.field({ path: 'reason', label: 'opSupportReason', required: true, maxlength: 200 }),
    buttons(h('button', { type: 'submit', class: 'danger' }, t('opOperatorsRevoke'))),
  ]);

  screen(main, title,
    done,
    h('p', {}, t('opOperatorsIntro')),
    h('h2', {}, t('opOperatorsList')),
    table([t('fieldName'), t('fieldEmail'), t('opOperatorsGrantedAt'), t('opOperatorsGrantedBy')],
      operators.map((o) => [o.name, o.email, o.first ? t('opOperatorsFirst') : o.grantedAt ? formatDateTime(o.grantedAt) : '', o.grantedBy ?? '']),
      t('opNone'), true),
    h('h2', {}, t('opOperatorsGrant')),
    grant.element,
    removable.length === 0 ? null : [h('h2', {}, t('opOperatorsRevoke')), revoke.element],
    h('p', {}, link('/menu', 'backToMenu')));
}
