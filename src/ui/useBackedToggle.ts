import { useEffect, useState } from 'preact/hooks';
import { useAction } from './useAction';

/**
 * A checkbox whose truth is in the background: it shows the user's choice at once and keeps it
 * until the live value agrees (or the request fails and the live value stands), so it never
 * flips back while the background is saving.
 */
export function useBackedToggle(live: boolean, save: (value: boolean) => Promise<unknown>) {
  const action = useAction();
  const [wanted, setWanted] = useState<boolean | undefined>();
  useEffect(() => {
    if (wanted === live) setWanted(undefined);
  }, [live, wanted]);
  const set = (value: boolean) => {
    setWanted(value);
    void action
      .run(() => save(value))
      .then((saved) => {
        if (!saved) setWanted(undefined);
      });
  };
  return { checked: wanted ?? live, set, error: action.error };
}
