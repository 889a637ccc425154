import { api } from '../../api';
import { h } from '../../dom';
import { formatDateTime, t } from '../../i18n';
import { link, param, screen } from '../../router';
import { failure, load, problemSlot, table } from '../shared';
import { doneThen, takeDone } from './flash';

interface QueuesView {
  poison: { queue: string; sourceQueue: string; count: number; requeueable: boolean }[];
  deadLetters: { reason: string; count: number }[];
  deadLetterDays: number;
}

interface PoisonMessage {
  messageId: string;
  insertedOn: string | null;
  dequeueCount: number;
  text: string;
}

interface DeadLetter {
  day: string;
  id: string;
  receivedAt: string;
  reason: string;
  field: string | null;
  gatewayId: string | null;
  body: string;
}


function queuesPath(query: Record<string, string> = {}): string {
  const search = new URLSearchParams(query).toString();
  return search ? `/operator/queues?${search}` : '/operator/queues';
}

/**
 * キューと取り込めなかったデータ: poison counts per queue and dead-lettered telemetry per reason; ?queue= shows that queue's
 * messages (再送する for mail, 対応済みにする), ?reason= that reason's events (対応済みにする).
 */
export async function queuesPage(main: HTMLElement): Promise<void> {
  const done = takeDone();
  const title = t('opQueuesHeading');
  const view = await load<QueuesView>(main, title, '/api/operator/queues');
  if (view === null) {
    return;
  }
  const queue = param('queue');
  const reason = param('reason');
  const refusal = problemSlot();
  const act = async (path: string, message: string, after: string) => {
    try {
      await api('POST', path);
      doneThen(message, after);
    } catch (error) {
      refusal.show(error);
    }
  };

  let detail: (HTMLElement | null)[] = [];
  try {
    const poisonQueue = view.poison.find((p) => p.queue === queue);
    if (poisonQueue) {
      const messages = await api<PoisonMessage[]>('GET', `/api/operator/queues/${encodeURIComponent(poisonQueue.queue)}/messages`);
      const base = `/api/operator/queues/${encodeURIComponent(poisonQueue.queue)}/messages`;
      detail = [
        h('h2', {}, t('opQueuesMessages', poisonQueue.queue)),
        table([t('opQueuesMessageId'), t('opQueuesInsertedOn'), t('opQueuesDequeueCount'), t('opQueuesText'), ''],
          messages.map((m) => [
            m.messageId, m.insertedOn ? formatDateTime(m.insertedOn) : '', m.dequeueCount, h('pre', { class: 'message-text', tabindex: 0 }, m.text),
            h('div', { class: 'row-actions' },
              poisonQueue.requeueable
                ? h('button', { type: 'button', class: 'primary', onclick: () => void act(`${base}/${encodeURIComponent(m.messageId)}/requeue`, t('opQueuesRequeued'), queuesPath({ queue: poisonQueue.queue })) }, t('opQueuesRequeue'))
                : null,
              h('button', { type: 'button', onclick: () => void act(`${base}/${encodeURIComponent(m.messageId)}/handled`, t('opQueuesMarkedHandled'), queuesPath({ queue: poisonQueue.queue })) }, t('opQueuesHandled'))),
          ]),
          t('opQueuesNoMessages'), true),
      ];
    } else if (reason && view.deadLetters.some((d) => d.reason === reason)) {
      const letters = await api<DeadLetter[]>('GET', `/api/operator/dead-letters?reason=${encodeURIComponent(reason)}`);
      detail = [
        h('h2', {}, t('opQueuesDeadLettersOf', reason)),
        table([t('opReceivedAt'), t('opQueuesGateway'), t('opField'), t('opQueuesBody'), ''],
          letters.map((d) => [
            formatDateTime(d.receivedAt), d.gatewayId ?? '', d.field ?? '', h('pre', { class: 'message-text', tabindex: 0 }, d.body),
            h('button', {
              type: 'button',
              onclick: () => void act(`/api/operator/dead-letters/${encodeURIComponent(d.day)}/${encodeURIComponent(d.id)}/handled`, t('opQueuesMarkedHandled'), queuesPath({ reason })),
            }, t('opQueuesHandled')),
          ]),
          t('opQueuesNoMessages'), true),
      ];
    }
  } catch (error) {
    failure(main, title, error);
    return;
  }

  screen(main, title,
    done,
    h('p', {}, t('opQueuesIntro', view.deadLetterDays)),
    refusal.element,
    h('h2', {}, t('opQueuesPoison')),
    table([t('opQueuesQueue'), t('opQueuesCount'), ''],
      view.poison.map((p) => [p.queue, p.count, h('a', { href: queuesPath({ queue: p.queue }), 'data-route': '', 'aria-label': `${t('opQueuesShow')}: ${p.queue}` }, t('opQueuesShow'))]),
      t('opNone'), true),
    h('h2', {}, t('opQueuesDeadLetters')),
    table([t('opReason'), t('opQueuesCount'), ''],
      view.deadLetters.map((d) => [d.reason, d.count, h('a', { href: queuesPath({ reason: d.reason }), 'data-route': '', 'aria-label': `${t('opQueuesShow')}: ${d.reason}` }, t('opQueuesShow'))]),
      t('opQueuesNoDeadLetters'), true),
    ...detail,
    h('p', {}, link('/menu', 'backToMenu')));
}
