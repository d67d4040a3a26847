import { useState } from 'preact/hooks';
import { t, type Language } from '../i18n';
import type { ResourceView } from '../api/operations';

const DAYS: Record<Language, string[]> = {
  en: ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'],
  es: ['dom', 'lun', 'mar', 'mié', 'jue', 'vie', 'sáb'],
};

/** The text of the sheet, for a message to the person (no case details in it, only the place). */
export function sheetText(r: ResourceView, lang: Language): string {
  const hours = (r.hours ?? [])
    .map((h) => `${DAYS[lang][h.day]} ${h.opens}–${h.closes}`)
    .join(', ');
  return [
    t('sheet.title', {}, lang),
    t('sheet.intro', {}, lang),
    `${r.name ?? ''}`,
    r.phone ? `${t('sheet.call', {}, lang)}: ${r.phone}` : '',
    `${t('sheet.where', {}, lang)}: ${[r.street, r.city, r.state].filter(Boolean).join(', ')}`,
    hours ? `${t('sheet.hours', {}, lang)}: ${hours}` : '',
    r.typicalCost ? `${t('sheet.cost', {}, lang)}: ${r.typicalCost}` : '',
    t('sheet.naloxone', {}, lang),
    t('sheet.footer', {}, lang),
  ]
    .filter(Boolean)
    .join('\n');
}

/** A plain-language page to hand over: printable, or copied as a text message. */
export function Sheet(props: { resource: ResourceView; initial: Language; onClose: () => void }) {
  const [lang, setLang] = useState<Language>(props.initial);
  const [copied, setCopied] = useState(false);
  const text = sheetText(props.resource, lang);
  return (
    <section class="sheet" aria-labelledby="sheet-title" lang={lang}>
      <div class="no-print actions">
        <button type="button" onClick={props.onClose}>
          ← {t('back')}
        </button>
        <label for="sheet-lang">{t('sheetLanguage')}</label>
        <select
          id="sheet-lang"
          value={lang}
          onChange={(e) => setLang((e.target as HTMLSelectElement).value as Language)}
        >
          <option value="en">English</option>
          <option value="es">Español</option>
        </select>
        <button type="button" onClick={() => window.print()}>
          {t('print')}
        </button>
        <button
          type="button"
          onClick={async () => {
            await navigator.clipboard?.writeText(text).catch(() => undefined);
            setCopied(true);
          }}
        >
          {t('copyText')}
        </button>
        {copied && <span role="status">{t('copied')}</span>}
      </div>
      <h1 id="sheet-title">{t('sheet.title', {}, lang)}</h1>
      {text
        .split('\n')
        .slice(1)
        .map((line, i) => (
          <p key={i}>{line}</p>
        ))}
    </section>
  );
}
