import { t } from '../text/i18n';
import type { StatusLine } from './statusView';

/** What each tone is called for screen readers, with its colon (punctuation varies by language). */
const TONE_WORD: Record<StatusLine['tone'], () => string> = {
  ok: () => t('toneOk'),
  warn: () => t('toneWarn'),
  bad: () => t('toneBad'),
  busy: () => t('toneBusy'),
  neutral: () => t('toneNeutral'),
};

/** One labelled status with its tone shown as a coloured marker and, for screen readers, a word. */
export function StatusLineView({ line }: { line: StatusLine }) {
  return (
    <div class={`status-line tone-${line.tone}`} data-status={line.id}>
      <span class="marker" aria-hidden="true" />
      <div class="status-text">
        <div class="status-head">
          <span class="status-label">{line.label}</span>
          <span class="status-value">
            <span class="visually-hidden">{TONE_WORD[line.tone]()} </span>
            {line.value}
          </span>
        </div>
        {line.detail && <p class="status-detail">{line.detail}</p>}
      </div>
    </div>
  );
}
