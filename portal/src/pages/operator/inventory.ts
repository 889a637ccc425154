import { api } from '../../api';
import { checks } from '../../checks';
import { h } from '../../dom';
import { Form, buttons } from '../../forms';
import { t, type MessageKey } from '../../i18n';
import { link, screen } from '../../router';
import { problemSlot, table } from '../shared';

export interface LineProblem {
  line: number;
  column: string | null;
  message: string;
}

interface DryRun {
  rows: number;
  new: number;
  alreadyPresent: number;
  refused: number;
  errors: LineProblem[];
}

interface Imported {
  imported: number;
  alreadyPresent: number;
  refused: number;
  errors: LineProblem[];
}

function problemsTable(problems: LineProblem[]): HTMLElement[] {
  return [
    h('h2', {}, t('opInventoryProblems')),
    table([t('opLine'), t('opColumn'), t('opReason')],
      problems.map((problem) => [problem.line, problem.column ? t(`opColumn_${problem.column}` as MessageKey) : t('opWholeLine'), problem.message]),
      t('opInventoryNoProblems'), true),
  ];
}

/**
 * ゲートウェイ在庫の取り込み: the operator picks the factory's CSV (UTF-8 or Shift_JIS, decoded by the API), sees what an
 * import would do and every refused line (line, column, reason) before anything is written, then imports that file.
 */
export function inventoryPage(main: HTMLElement): void {
  const outcome = h('div', { class: 'inventory-outcome', 'aria-live': 'polite' });
  const refusal = problemSlot();
  const form = new Form(async (f) => {
    const file = f.element.querySelector<HTMLInputElement>('input[type="file"]')?.files?.[0];
    if (!f.passes((errors) => checks.required(f, errors, 'file')) || !file) {
      return;
    }
    try {
      showDryRun(await api<DryRun>('POST', '/api/operator/gateway-inventory/dry-run', file), file);
      f.clearErrors();
    } catch (error) {
      outcome.replaceChildren();
      f.showProblem(error);
    }
  });
  form.add(
    form.field({ path: 'file', label: 'opInventoryFile', required: true, type: 'file' }),
    buttons(h('button', { type: 'submit', class: 'primary' }, t('opInventoryCheck'))));
  form.element.querySelector('input[type="file"]')?.setAttribute('accept', '.csv,text/csv');

  const showDryRun = (result: DryRun, file: File) => {
    const importButton = h('button', {
      type: 'button', class: 'primary',
      onclick: async () => {
        importButton.disabled = true;
        try {
          const imported = await api<Imported>('POST', '/api/operator/gateway-inventory', file);
          outcome.replaceChildren(
            h('p', { class: 'notice notice-success', role: 'status' }, t('opInventoryImported', imported.imported, imported.alreadyPresent, imported.refused)),
            ...problemsTable(imported.errors));
        } catch (error) {
          importButton.disabled = false;
          refusal.show(error);
        }
      },
    }, t('opInventoryImport'));
    outcome.replaceChildren(
      h('p', { class: 'notice', role: 'status' }, t('opInventoryChecked', result.rows, result.new, result.alreadyPresent, result.refused)),
      ...problemsTable(result.errors),
      refusal.element,
      result.new > 0 ? buttons(importButton) : h('p', {}, t('opInventoryNothingNew')));
  };

  screen(main, t('opInventoryHeading'),
    h('p', {}, t('opInventoryIntro')),
    h('p', { class: 'field-hint' }, t('opInventoryFormat')),
    form.element,
    outcome,
    h('p', {}, link('/menu', 'backToMenu')));
}
