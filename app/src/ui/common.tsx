import type { ComponentChildren } from 'preact';
import { t, type MessageKey } from '../i18n';
import { ApiError } from '../api/client';

export function Field(props: {
  id: string;
  label: string;
  children: ComponentChildren;
  hint?: string;
}) {
  return (
    <div class="field">
      <label for={props.id}>{props.label}</label>
      {props.children}
      {props.hint && <p class="hint">{props.hint}</p>}
    </div>
  );
}

/**
 * A message kept on a screen until replaced. It holds how to word it, not the words: switching
 * the language rewords what is already shown.
 */
export interface Said {
  say: () => string;
}

export function Message(props: { kind: 'error' | 'ok' | 'info'; children: ComponentChildren }) {
  return (
    <p class={`msg ${props.kind}`} role={props.kind === 'error' ? 'alert' : 'status'}>
      {props.children}
    </p>
  );
}

/** Words for an error from the hub, in the user's language; field problems named. */
export function errorText(error: unknown): string {
  if (!(error instanceof ApiError)) return t('error.OTHER');
  const key = `error.${error.code}` as MessageKey;
  const problems = (error.detail.fields ?? error.detail.problems) as
    Array<{ field: string; message: string }> | undefined;
  const detail = Array.isArray(problems)
    ? problems.map((p) => `${p.field} ${p.message}`).join('; ')
    : String(error.detail.field ?? error.message ?? '');
  try {
    return t(key, { ...error.detail, detail, field: String(error.detail.field ?? '') } as Record<
      string,
      string
    >);
  } catch {
    return t('error.OTHER');
  }
}

export function Hidden() {
  return <span class="hidden-value">{t('hidden')}</span>;
}

/** A value, or "not shown to your role" when the hub withheld it (null). */
export function Value(props: { value: string | number | null | undefined }) {
  return props.value === null || props.value === undefined || props.value === '' ? (
    <Hidden />
  ) : (
    <>{props.value}</>
  );
}
