// A labelled text input that counts its UTF-8 bytes against the program's limit.
import { useId } from 'react';
import { byteLength } from '../program/rules';

export function TextField({
  label,
  value,
  onChange,
  limit,
  multiline,
  required,
  placeholder,
  type = 'text',
  problem,
}: {
  label: string;
  value: string;
  onChange: (value: string) => void;
  limit: number;
  multiline?: boolean;
  required?: boolean;
  placeholder?: string;
  type?: 'text' | 'url';
  /** The id of the words saying what is wrong with this field, when something is. */
  problem?: string;
}) {
  const id = useId();
  const counter = `${id}-bytes`;
  const bytes = byteLength(value);
  const over = bytes > limit;
  const common = {
    id,
    value,
    placeholder,
    required,
    'aria-describedby': problem ? `${counter} ${problem}` : counter,
    'aria-invalid': over || problem !== undefined,
  };
  return (
    <div className="field">
      <label htmlFor={id}>{label}</label>
      {multiline ? (
        <textarea {...common} rows={4} onChange={(event) => onChange(event.target.value)} />
      ) : (
        <input {...common} type={type} onChange={(event) => onChange(event.target.value)} />
      )}
      <span id={counter} className={over ? 'counter over' : 'counter'}>
        {bytes} / {limit} bytes
      </span>
    </div>
  );
}
