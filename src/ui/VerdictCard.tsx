import type { Verdict, VerdictAction } from './verdictView';

/** The shield of the toolbar icon (public/icon/shield.svg), with the verdict's mark in it. */
const SHIELD = 'M64 6 L114 24 V60 C114 92 92 114 64 124 C36 114 14 92 14 60 V24 Z';
const MARKS: Record<Verdict['tone'], string> = {
  ok: 'M40 64 L57 81 L89 47',
  bad: 'M46 44 L82 80 M82 44 L46 80',
  warn: 'M64 36 V70 M64 86 V88',
  neutral: 'M50 50 C50 30 80 30 80 48 C80 60 64 60 64 74 M64 88 V90',
  busy: 'M64 40 V64 L80 76',
};

function VerdictIcon({ tone }: { tone: Verdict['tone'] }) {
  return (
    <svg class="verdict-icon" viewBox="0 0 128 128" width="36" height="36" aria-hidden="true">
      <path d={SHIELD} class="verdict-shield" />
      <path d={MARKS[tone]} class="verdict-mark" />
    </svg>
  );
}

/**
 * "Am I safe?" on the popup's first screen: one line in its colour and icon, what it rests on,
 * and the single most urgent action. The tone also has its word in the headline, never colour alone.
 */
export function VerdictCard({ verdict, onAction }: { verdict: Verdict; onAction: (action: VerdictAction) => void }) {
  const { action } = verdict;
  return (
    <section class={`verdict tone-${verdict.tone}`} data-verdict={verdict.tone} aria-labelledby="verdict-headline">
      <div class="verdict-line">
        <VerdictIcon tone={verdict.tone} />
        <div class="verdict-text">
          <h2 id="verdict-headline" class="verdict-headline">
            {verdict.headline}
          </h2>
          {verdict.detail && <p class="verdict-detail">{verdict.detail}</p>}
        </div>
      </div>
      {action && (
        <button class="primary verdict-action" type="button" title={action.label} onClick={() => onAction(action)}>
          {action.label}
        </button>
      )}
    </section>
  );
}
