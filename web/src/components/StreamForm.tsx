// The fields of a stream, for scheduling one or editing it. Checked as the program
// checks them before anything is sent; what is wrong is said in a person's words and
// marked on its field.
import { useId, useState, type FormEvent, type ReactNode } from 'react';
import { formatDuration, fromLocalInput, toLocalInput, zoneName } from '../app/format';
import { limits, said, streamProblem, type FormField, type StreamFields } from '../program/rules';
import { Refusal } from './ActionButton';
import { TextField } from './TextField';

const HOUR = 3_600_000;

/** A new stream's fields: the next full hour, for an hour. */
export function freshStream(now: number): StreamFields {
  const start = Math.ceil((now + 1) / HOUR) * HOUR;
  return { title: '', description: null, startTime: start, endTime: start + HOUR, imgLink: '' };
}

export function StreamForm({
  initial,
  onSubmit,
  actions,
}: {
  initial: StreamFields;
  /** Called with checked fields. */
  onSubmit: (fields: StreamFields) => void;
  /** The submit button and whatever goes with it. */
  actions: ReactNode;
}) {
  const id = useId();
  const [title, setTitle] = useState(initial.title);
  const [description, setDescription] = useState(initial.description ?? '');
  const [imgLink, setImgLink] = useState(initial.imgLink);
  const [start, setStart] = useState(toLocalInput(initial.startTime));
  const [end, setEnd] = useState(toLocalInput(initial.endTime));
  const [problem, setProblem] = useState<string | null>(null);
  const startTime = fromLocalInput(start);
  const endTime = fromLocalInput(end);
  const problemId = `${id}-problem`;
  // The id of the words about `field`, if the problem is about it.
  const about = (field: FormField): string | undefined =>
    problem !== null && said(problem).field === field ? problemId : undefined;
  const dateProblem = (field: FormField) => {
    const words = about(field);
    return { 'aria-invalid': words !== undefined, 'aria-describedby': words };
  };

  const submit = (event: FormEvent) => {
    event.preventDefault();
    if (startTime === null || endTime === null) {
      setProblem('Enter a start and an end date and time');
      return;
    }
    const fields: StreamFields = {
      title,
      description: description === '' ? null : description,
      startTime,
      endTime,
      imgLink,
    };
    const found = streamProblem(fields, Date.now());
    setProblem(found);
    if (!found) onSubmit(fields);
  };

  return (
    <form className="form" onSubmit={submit} noValidate>
      <TextField
        label="Title"
        value={title}
        onChange={setTitle}
        limit={limits.maxTitleLen}
        problem={about('title')}
      />
      <TextField
        label="Description"
        value={description}
        onChange={setDescription}
        limit={limits.maxDescriptionLen}
        multiline
        problem={about('description')}
      />
      <div className="field-row">
        <div className="field">
          <label htmlFor={`${id}-start`}>Starts</label>
          <input
            id={`${id}-start`}
            type="datetime-local"
            value={start}
            onChange={(event) => setStart(event.target.value)}
            {...dateProblem('start')}
          />
        </div>
        <div className="field">
          <label htmlFor={`${id}-end`}>Ends</label>
          <input
            id={`${id}-end`}
            type="datetime-local"
            value={end}
            onChange={(event) => setEnd(event.target.value)}
            {...dateProblem('end')}
          />
        </div>
      </div>
      <p className="hint">
        Times are in your time zone, {zoneName()}.
        {startTime !== null && endTime !== null && endTime > startTime && (
          <> The stream lasts {formatDuration(endTime - startTime)}.</>
        )}
      </p>
      <TextField
        label="Banner image link"
        value={imgLink}
        onChange={setImgLink}
        limit={limits.maxLinkLen}
        type="url"
        placeholder="https://… or ipfs://…"
        problem={about('imgLink')}
      />
      {problem && <Refusal lead="Not sent: " reason={problem} id={problemId} />}
      <div className="form-actions">{actions}</div>
    </form>
  );
}
