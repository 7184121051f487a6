// What the app shows of text anyone can write on chain (names, titles, descriptions):
// the program stores any UTF-8, so invisible and direction-changing characters are
// shown as their code points. A zero-width space in a copied title, or a right-to-left
// override turning `ecila` into `alice`, can then not pass for another's text.
import type { ProfileSummary, Stream } from './types';

/** Format (zero-width, bidi), control and separator characters, but not newlines and tabs. */
const HIDDEN = /[\p{Cf}\p{Cc}\p{Zl}\p{Zp}]/gu;
const KEPT = new Set(['\n', '\r', '\t']);
/** An emoji, and what may follow it inside a ZWJ sequence (👩‍💻). */
const EMOJI_BEFORE = /\p{Extended_Pictographic}(?:\u{FE0F}|[\u{1F3FB}-\u{1F3FF}])?$/u;
const EMOJI_AFTER = /^\p{Extended_Pictographic}/u;
const ZWJ = '\u200D';

/** `text` with each hidden character written as `⟨U+XXXX⟩`. */
export function visible(text: string): string {
  return text.replace(HIDDEN, (char: string, offset: number) => {
    if (KEPT.has(char)) return char;
    const joinsEmoji =
      char === ZWJ &&
      EMOJI_BEFORE.test(text.slice(0, offset)) &&
      EMOJI_AFTER.test(text.slice(offset + 1));
    if (joinsEmoji) return char;
    const code = char.codePointAt(0)!.toString(16).toUpperCase().padStart(4, '0');
    return `⟨U+${code}⟩`;
  });
}

const visibleOrNull = (text: string | null): string | null => text && visible(text);

/** A stream's texts as the app shows them; its id is left as the program knows it. */
export const visibleStream = (stream: Stream): Stream => ({
  ...stream,
  title: visible(stream.title),
  description: visibleOrNull(stream.description),
});

/** A profile's name and surname as the app shows them. */
export const visibleProfile = (profile: ProfileSummary): ProfileSummary => ({
  ...profile,
  name: visibleOrNull(profile.name),
  surname: visibleOrNull(profile.surname),
});
