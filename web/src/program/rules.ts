// The checks the program makes on a stream and a profile, made before sending so a
// person learns at once what the program would say. The figures and the texts come
// from the program's build (`.rules.json`), the order of the checks is the
// program's (src/validation.rs); tests/rules.test.mjs holds the two to the same
// answers.
import { rules } from 'virtual:program-artifacts';

export const { limits, errors } = rules;

const encoder = new TextEncoder();

/** A string's length as the program measures it: UTF-8 bytes. */
export const byteLength = (text: string): number => encoder.encode(text).length;

/** Rust's `str::trim` set: Unicode White_Space (JavaScript's `trim` also drops U+FEFF). */
const ONLY_WHITESPACE =
  /^[\t\n\v\f\r \u0085\u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]*$/;

export interface StreamFields {
  title: string;
  description: string | null;
  startTime: number;
  endTime: number;
  imgLink: string;
}

/** What the program would reject the stream with at block time `now`, if anything. */
export function streamProblem(stream: StreamFields, now: number): string | null {
  if (ONLY_WHITESPACE.test(stream.title)) return errors.emptyTitle;
  if (byteLength(stream.title) > limits.maxTitleLen) return errors.titleTooLong;
  if (byteLength(stream.imgLink) > limits.maxLinkLen) return errors.imgLinkTooLong;
  if (stream.description !== null && byteLength(stream.description) > limits.maxDescriptionLen) {
    return errors.descriptionTooLong;
  }
  if (stream.endTime <= stream.startTime) return errors.endNotAfterStart;
  if (stream.endTime <= now) return errors.endInPast;
  if (stream.endTime - stream.startTime > limits.maxStreamDurationMs) return errors.streamTooLong;
  if (stream.startTime > now + limits.maxScheduleAheadMs) return errors.startTooFarAhead;
  return null;
}

export interface ProfileFields {
  name: string | null;
  surname: string | null;
  imgLink: string | null;
}

/** What the program would reject the profile with, if anything. */
export function profileProblem(profile: ProfileFields): string | null {
  const over = (text: string | null, limit: number) => text !== null && byteLength(text) > limit;
  if (over(profile.name, limits.maxNameLen)) return errors.nameTooLong;
  if (over(profile.surname, limits.maxNameLen)) return errors.surnameTooLong;
  if (over(profile.imgLink, limits.maxLinkLen)) return errors.imgLinkTooLong;
  return null;
}

/** What the program would reject a tip of `amount` with `message` with, if anything. */
export function tipProblem(amount: bigint, message: string): string | null {
  if (byteLength(message) > limits.maxTipMessageLen) return errors.tipMessageTooLong;
  if (amount === 0n) return errors.tipWithoutValue;
  if (amount < BigInt(limits.minTip)) return errors.tipTooSmall;
  return null;
}

/** A field of the stream and profile forms. */
export type FormField = 'title' | 'description' | 'start' | 'end' | 'imgLink' | 'name' | 'surname';

/**
 * What a program error text says to a person, and the form field it is about: the
 * program's texts name its own fields (`end_time`), which a person never sees.
 */
const SAID: Record<string, { words: string; field: FormField | null }> = {
  [errors.emptyTitle]: { words: 'Give the stream a title', field: 'title' },
  [errors.titleTooLong]: {
    words: `The title is longer than ${limits.maxTitleLen} bytes`,
    field: 'title',
  },
  [errors.descriptionTooLong]: {
    words: `The description is longer than ${limits.maxDescriptionLen} bytes`,
    field: 'description',
  },
  [errors.imgLinkTooLong]: {
    words: `The image link is longer than ${limits.maxLinkLen} bytes`,
    field: 'imgLink',
  },
  [errors.endNotAfterStart]: { words: 'The end must be after the start', field: 'end' },
  [errors.endInPast]: { words: 'The end is already past', field: 'end' },
  [errors.streamTooLong]: {
    words: `A stream lasts at most ${limits.maxStreamDurationMs / 86_400_000} days`,
    field: 'end',
  },
  [errors.startTooFarAhead]: {
    words: `The start is more than ${limits.maxScheduleAheadMs / 86_400_000} days ahead`,
    field: 'start',
  },
  [errors.nameTooLong]: {
    words: `The name is longer than ${limits.maxNameLen} bytes`,
    field: 'name',
  },
  [errors.surnameTooLong]: {
    words: `The surname is longer than ${limits.maxNameLen} bytes`,
    field: 'surname',
  },
  [errors.notRegistered]: {
    words: 'This account has no profile yet: register first',
    field: null,
  },
  [errors.tooManyStreams]: {
    words: `You already have ${limits.maxStreamsPerBroadcaster} streams: delete one first`,
    field: null,
  },
  [errors.ownChannel]: {
    words: 'You cannot give yourself a role in your own channel',
    field: null,
  },
  [errors.alreadyInRole]: { words: 'They already hold this role in your channel', field: null },
  [errors.noChannelRole]: { words: 'They hold no role in your channel any more', field: null },
  [errors.tipMessageTooLong]: {
    words: `A tip's message is at most ${limits.maxTipMessageLen} bytes`,
    field: null,
  },
  [errors.tipWithoutValue]: { words: 'Give an amount to tip', field: null },
  [errors.tipTooSmall]: {
    words: `A tip is at least ${Number(limits.minTip) / 1e12} VARA`,
    field: null,
  },
  [errors.tipOwnStream]: { words: 'You cannot tip your own stream', field: null },
};

/** `text`, a program error text or our own, as a person reads it, and its field if any. */
export function said(text: string): { words: string; field: FormField | null } {
  return SAID[text] ?? { words: text, field: null };
}

/** The program's error text inside an error reply (`panicked with '<text>'`). */
export function rejectionText(reply: string): string {
  const match = /^panicked with '(.*)'$/s.exec(reply);
  return match?.[1] ?? reply;
}
