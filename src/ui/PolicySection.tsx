import { request } from '../messaging/backgroundClient';
import type { Policy } from '../trust/types';

const CHOICES: { policy: Policy; title: string; detail: string }[] = [
  {
    policy: 'default',
    title: 'Warn about unsigned devices',
    detail: "Devices their owner never signed, and anything wrong with someone's identity.",
  },
  {
    policy: 'strict',
    title: 'Also warn about people you have not verified',
    detail: 'Every device of every person whose identity you did not verify counts as a warning.',
  },
];

export function PolicySection({ policy }: { policy: Policy }) {
  return (
    <section aria-labelledby="policy-heading">
      <h2 id="policy-heading">When to warn</h2>
      <fieldset class="choices">
        <legend class="visually-hidden">Warning policy</legend>
        {CHOICES.map((choice) => (
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
