// Value on Vara as a person reads and writes it: VARA, each 10^12 of the chain's
// smallest unit, the unit the program and the chain count in.

/** The chain's smallest units in one VARA. */
export const UNITS_PER_VARA = 10n ** 12n;

/** The decimals a VARA amount is written with at most. */
const DECIMALS = 12;

/** `amount` (smallest units, as the chain gives it) in VARA, such as `2.5 VARA`. */
export function formatVara(amount: bigint | number | string): string {
  const units = BigInt(amount);
  const whole = units / UNITS_PER_VARA;
  const fraction = (units % UNITS_PER_VARA).toString().padStart(DECIMALS, '0').replace(/0+$/, '');
  const digits = Number(whole).toLocaleString('en');
  return `${fraction ? `${digits}.${fraction.slice(0, 4)}` : digits} VARA`;
}

/** `text`, an amount of VARA a person typed (`2`, `0.5`), in smallest units; null if it is not one. */
export function parseVara(text: string): bigint | null {
  const match = /^\s*(\d{1,15})(?:[.,](\d{1,12}))?\s*$/.exec(text);
  const [, whole, decimals = ''] = match ?? [];
  if (whole === undefined) return null;
  return BigInt(whole) * UNITS_PER_VARA + BigInt(decimals.padEnd(DECIMALS, '0'));
}
