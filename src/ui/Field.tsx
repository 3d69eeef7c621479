import type { TargetedInputEvent } from 'preact';

interface FieldProps {
  label: string;
  name: string;
  value: string;
  onInput: (value: string) => void;
  autocomplete: string;
  /** A password, key or passphrase: typed unseen. */
  secret?: boolean;
  placeholder?: string;
  spellcheck?: boolean;
  onBlur?: () => void;
}

/** A required input inside its label: the one way the pages ask the user to type something. */
export function Field({ label, secret = false, onInput, ...rest }: FieldProps) {
  const input = { ...rest, required: true, onInput: (event: TargetedInputEvent<HTMLInputElement>) => onInput(event.currentTarget.value) };
  return (
    <label>
      {label}
      {secret ? <input type="password" {...input} /> : <input {...input} />}
    </label>
  );
}
