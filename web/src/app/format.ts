// Times as a viewer reads them: in their own time zone, which the page names.
const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

const time = new Intl.DateTimeFormat(undefined, { hour: '2-digit', minute: '2-digit' });
const weekday = new Intl.DateTimeFormat(undefined, {
  weekday: 'long',
  day: 'numeric',
  month: 'long',
});
const fullDay = new Intl.DateTimeFormat(undefined, {
  weekday: 'long',
  day: 'numeric',
  month: 'long',
  year: 'numeric',
});
const dateTime = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeStyle: 'short' });

/** The viewer's time zone, such as `Europe/Berlin (GMT+1)`. */
export function zoneName(at = Date.now()): string {
  const zone = Intl.DateTimeFormat().resolvedOptions().timeZone;
  const offset = new Intl.DateTimeFormat(undefined, { timeZoneName: 'shortOffset' })
    .formatToParts(at)
    .find((part) => part.type === 'timeZoneName')?.value;
  return offset ? `${zone} (${offset})` : zone;
}

export const formatTime = (ms: number): string => time.format(ms);
export const formatDateTime = (ms: number): string => dateTime.format(ms);

/** A local calendar day, as a key that sorts. */
export function dayKey(ms: number): string {
  const date = new Date(ms);
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())}`;
}

/** A day's heading: `Today`, `Tomorrow`, or its weekday and date. */
export function formatDay(ms: number, now: number): string {
  const day = dayKey(ms);
  if (day === dayKey(now)) return `Today, ${weekday.format(ms)}`;
  if (day === dayKey(now + DAY)) return `Tomorrow, ${weekday.format(ms)}`;
  if (day === dayKey(now - DAY)) return `Yesterday, ${weekday.format(ms)}`;
  return new Date(ms).getFullYear() === new Date(now).getFullYear()
    ? weekday.format(ms)
    : fullDay.format(ms);
}

/** A span such as `45 min`, `1 h 30 min` or `2 days 3 h`. */
export function formatDuration(ms: number): string {
  const minutes = Math.max(0, Math.round(ms / MINUTE));
  if (minutes < 60) return `${minutes} min`;
  const days = Math.floor(minutes / (24 * 60));
  const hours = Math.floor((minutes % (24 * 60)) / 60);
  const rest = minutes % 60;
  if (days > 0)
    return hours > 0
      ? `${days} ${days === 1 ? 'day' : 'days'} ${hours} h`
      : `${days} ${days === 1 ? 'day' : 'days'}`;
  return rest > 0 ? `${hours} h ${rest} min` : `${hours} h`;
}

/** How long until `ms`, counting seconds in the last minute: `in 42 min`, `in 12 s`. */
export function formatCountdown(ms: number, now: number): string {
  const left = ms - now;
  if (left <= 0) return 'now';
  if (left < MINUTE) return `in ${Math.ceil(left / 1000)} s`;
  return `in ${formatDuration(left)}`;
}

export type Phase = 'upcoming' | 'live' | 'ended';

export function phase(stream: { startTime: number; endTime: number }, now: number): Phase {
  if (now < stream.startTime) return 'upcoming';
  return now < stream.endTime ? 'live' : 'ended';
}

/** A `datetime-local` input's value for `ms`, in the viewer's time zone. */
export function toLocalInput(ms: number): string {
  const date = new Date(ms);
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${dayKey(ms)}T${pad(date.getHours())}:${pad(date.getMinutes())}`;
}

/** The time a `datetime-local` input's value names, or `null` if it names none. */
export function fromLocalInput(value: string): number | null {
  if (!/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2})?$/.test(value)) return null;
  const ms = new Date(value).getTime();
  return Number.isNaN(ms) ? null : ms;
}

/** Case- and accent-insensitive text for search: `Café` and `cafe` match. */
export function searchable(text: string): string {
  return text
    .normalize('NFD')
    .replace(/\p{Diacritic}/gu, '')
    .toLocaleLowerCase();
}

/** `1 stream`, `2 streams`: a count with its noun. */
export function counted(count: number, one: string, many = `${one}s`): string {
  return `${count} ${count === 1 ? one : many}`;
}
