import { api } from '../../api';
import { checks } from '../../checks';
import { h } from '../../dom';
import { Form, buttons } from '../../forms';
import { formatDate, formatDateTime, t } from '../../i18n';
import { link, screen } from '../../router';
import { load, problemSlot, table } from '../shared';
import { doneThen, takeDone } from './flash';

type Audience = 'all' | 'customers' | 'dealers' | 'admins';

interface OperatorNotice {
  id: string;
  date: string;
  title: { ja: string; en: string | null };
  body: { ja: string; en: string | null };
  audience: Audience;
  publishFrom: string | null;
  publishUntil: string | null;
  retiredAt: string | null;
}

const audiences: Audience[] = ['all', 'customers', 'dealers', 'admins'];

/** Who reads which audience (the API's NoticesApi.AudiencesFor): anonymous visitors only 全公開, operators everything. */
const viewers: { key: 'anonymous' | Exclude<Audience, 'all'>; sees: Audience[] }[] = [
  { key: 'anonymous', sees: ['all'] },
  { key: 'customers', sees: ['all', 'customers'] },
  { key: 'dealers', sees: ['all', 'dealers'] },
  { key: 'admins', sees: audiences },
];

function state(notice: OperatorNotice): string {
  const now = Date.now();
  const key = notice.retiredAt ? 'retired'
    : notice.publishFrom && Date.parse(notice.publishFrom) > now ? 'scheduled'
      : notice.publishUntil && Date.parse(notice.publishUntil) <= now ? 'ended' : 'listed';
  return t(`opNoticeState_${key}`);
}

/** A notice as the メインメニュー lists it (same classes), in one language. */
function noticeCard(date: string, audience: Audience, title: string, body: string, lang: 'ja' | 'en'): HTMLElement {
  return h('ul', { class: 'notice-list', lang },
    h('li', {},
      h('p', { class: 'notice-meta' }, date ? h('time', { datetime: date }, formatDate(date)) : null, ' ', h('span', { class: 'audience' }, t(`audience_${audience}`))),
      h('p', { class: 'notice-title' }, title),
      h('p', { class: 'notice-body' }, body)));
}

/** The local date and time typed in a datetime-local field, as an instant the API reads. */
function instant(value: string): string | null {
  return value === '' ? null : new Date(value).toISOString();
}


/** お知らせの管理: post (dated, audience, Japanese with optional English, optional window) after a preview per audience, list, retire. */
export async function noticesPage(main: HTMLElement): Promise<void> {
  const done = takeDone();
  const title = t('opNoticesHeading');
  const notices = await load<OperatorNotice[]>(main, title, '/api/operator/notices');
  if (notices === null) {
    return;
  }

  const preview = h('div', { class: 'notice-preview', 'aria-live': 'polite' });
  const form = new Form(async (f) => {
    if (!f.passes((errors) => checks.required(f, errors, 'date', 'audience', 'title.ja', 'body.ja'))) {
      return;
    }
    const values = f.values();
    try {
      await api('POST', '/api/operator/notices', {
        date: values.date,
        audience: values.audience,
        title: { ja: values['title.ja'], en: values['title.en'] || null },
        body: { ja: values['body.ja'], en: values['body.en'] || null },
        publishFrom: instant(values.publishFrom),
        publishUntil: instant(values.publishUntil),
      });
      doneThen(t('opNoticePosted'), '/operator/notices');
    } catch (error) {
      f.showProblem(error);
    }
  });
  const showPreview = () => {
    const values = form.values();
    if (!form.passes((errors) => checks.required(form, errors, 'audience', 'title.ja', 'body.ja'))) {
      preview.replaceChildren();
      return;
    }
    form.clearErrors();
    const audience = values.audience as Audience;
    preview.replaceChildren(h('h3', {}, t('opNoticePreview')), ...viewers.map((viewer) => h('section', { class: 'preview-viewer' },
      h('h4', {}, t(`opNoticeViewer_${viewer.key}`)),
      viewer.sees.includes(audience) ? noticeCard(values.date, audience, values['title.ja'], values['body.ja'], 'ja') : h('p', {}, t('opNoticeHidden')),
      viewer.sees.includes(audience) && (values['title.en'] || values['body.en'])
        ? [h('p', { class: 'field-hint' }, t('opNoticeEnglish')),
          noticeCard(values.date, audience, values['title.en'] || values['title.ja'], values['body.en'] || values['body.ja'], 'en')]
        : null)));
  };
  form.add(
    form.field({ path: 'date', label: 'opNoticeDate', required: true, type: 'date' }),
    form.field({
      path: 'audience', label: 'opNoticeAudience', required: true, choices: audiences, choicePlaceholder: 'opNoticeAudienceChoose',
      choiceLabels: Object.fromEntries(audiences.map((a) => [a, t(`audience_${a}`)])),
    }),
    form.field({ path: 'title.ja', label: 'opNoticeTitleJa', required: true, maxlength: 100 }),
    form.field({ path: 'title.en', label: 'opNoticeTitleEn', maxlength: 100 }),
    form.field({ path: 'body.ja', label: 'opNoticeBodyJa', required: true, multiline: true, maxlength: 2000 }),
    form.field({ path: 'body.en', label: 'opNoticeBodyEn', multiline: true, maxlength: 2000 }),
    form.field({ path: 'publishFrom', label: 'opNoticeFrom', type: 'datetime-local', hint: 'opNoticePeriodHint' }),
    form.field({ path: 'publishUntil', label: 'opNoticeUntil', type: 'datetime-local' }),
    buttons(
      h('button', { type: 'button', onclick: showPreview }, t('opNoticePreview')),
      h('button', { type: 'submit', class: 'primary' }, t('opNoticePost'))));

  const refusal = problemSlot();
  const retire = async (id: string) => {
    try {
      await api('DELETE', `/api/operator/notices/${encodeURIComponent(id)}`);
      doneThen(t('opNoticeRetired'), '/operator/notices');
    } catch (error) {
      refusal.show(error);
    }
  };
  const period = (n: OperatorNotice) =>
    `${n.publishFrom ? formatDateTime(n.publishFrom) : ''} – ${n.publishUntil ? formatDateTime(n.publishUntil) : t('opNoticeOpen')}`;

  screen(main, title,
    done,
    h('p', {}, t('opNoticesIntro')),
    h('h2', {}, t('opNoticeList')),
    refusal.element,
    table([t('opNoticeDate'), t('opNoticeAudience'), t('opNoticeTitle'), t('opNoticePeriod'), t('opNoticeState'), ''],
      notices.map((n) => [
        h('time', { datetime: n.date, class: 'nowrap' }, formatDate(n.date)), t(`audience_${n.audience}`), h('span', { lang: 'ja' }, n.title.ja), period(n), state(n),
        n.retiredAt ? '' : h('button', { type: 'button', class: 'danger', 'aria-label': `${t('opNoticeRetire')}: ${n.title.ja}`, onclick: () => void retire(n.id) }, t('opNoticeRetire')),
      ]),
      t('opNoticeNone'), true),
    h('h2', {}, t('opNoticeNew')),
    form.element,
    preview,
    h('p', {}, link('/menu', 'backToMenu')));
}
