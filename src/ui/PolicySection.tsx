import { request } from '../messaging/backgroundClient';
import type { Policy } from '../trust/types';
import { t } from '../text/i18n';

/** A function, so the messages are looked up when shown, not when this module loads. */
const choices = (): { policy: Policy; title: string; detail: string }[] => [
  { policy: 'default', title: t('policyDefaultTitle'), detail: t('policyDefaultDetail') },
  { policy: 'strict', title: t('policyStrictTitle'), detail: t('policyStrictDetail') },
];

export function PolicySection({ policy }: { policy: Policy }) {
  return (
    <section aria-labelledby="policy-heading">
      <h2 id="policy-heading">{t('policyHeading')}</h2>
      <fieldset class="choices">
        <legend class="visually-hidden">{t('policyLegend')}</legend>
        {choices().map((choice) => (
          <label key={choice.policy} class="choice">
            <input
              type="radio"
              name="policy"
              value={choice.policy}
              checked={policy === choice.policy}
              onChange={() => void request('settings.setPolicy', { policy: choice.policy })}
            />
            <span>
              <strong>{choice.title}</strong>
              <br />
              <span class="subtitle">{choice.detail}</span>
            </span>
          </label>
        ))}
      </fieldset>
    </section>
  );
}
