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

/**
 * Every password is hashed (PBKDF2) as it is imported, a few hundred a request at most within the API's 10 s deadline, so
 * the checked file goes in parts of this many lines, each after the header line. Lines are split at LF bytes, which
 * neither UTF-8 nor Shift_JIS uses inside a character, so the API still decodes each part itself.
 */
const linesPerRequest = 100;

async function importInParts(file: File, progress: (done: number, total: number) => void): Promise<Imported> {
  const bytes = new Uint8Array(await file.arrayBuffer());
  const lineStarts = [0];
  bytes.forEach((byte, index) => {
    if (byte === 0x0a && index + 1 < bytes.length) {
      lineStarts.push(index + 1);
    }
  });
  const header = bytes.slice(0, lineStarts[1] ?? bytes.length);
  const total: Imported = { imported: 0, alreadyPresent: 0, refused: 0, errors: [] };
  const lines = lineStarts.length - 1;
  for (let first = 1; first <= lines; first += linesPerRequest) {
    const part = new Blob([header, bytes.slice(lineStarts[first], lineStarts[first + linesPerRequest] ?? bytes.length)]);
    const result = await api<Imported>('POST', '/api/operator/gateway-inventory', part);
    total.imported += result.imported;
    total.alreadyPresent += result.alreadyPresent;
    total.refused += result.refused;
    // The part's line 2 is the file's line first + 1.
    total.errors.push(...result.errors.map((problem) => ({ ...problem, line: problem.line + first - 1 })));
    progress(Math.min(first + linesPerRequest - 1, lines), lines);
  }
  return total;
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
          const imported = await importInParts(file, (done, total) => { progress.textContent = t('opInventoryProgress', done, total); });
          outcome.replaceChildren(
            h('p', { class: 'notice notice-success', role: 'status' }, t('opInventoryImported', imported.imported, imported.alreadyPresent, imported.refused)),
            ...problemsTable(imported.errors));
        } catch (error) {
          importButton.disabled = false;
          refusal.show(error);
        }
      },
    }, t('opInventoryImport'));
    const progress = h('p', { role: 'status' });
    outcome.replaceChildren(
      h('p', { class: 'notice', role: 'status' }, t('opInventoryChecked', result.rows, result.new, result.alreadyPresent, result.refused)),
      ...problemsTable(result.errors),
      refusal.element,
      result.new > 0 ? buttons(importButton) : h('p', {}, t('opInventoryNothingNew')),
      progress);
  };

  screen(main, t('opInventoryHeading'),
    h('p', {}, t('opInventoryIntro')),
    h('p', { class: 'field-hint' }, t('opInventoryFormat')),
    form.element,
    outcome,
    h('p', {}, link('/menu', 'backToMenu')));
}
