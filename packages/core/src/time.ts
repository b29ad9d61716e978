/**
 * Kubernetes timestamps (metav1.Time): RFC 3339 in UTC, to the second.
 * @example
 * ```ts
 * import { kubeTime } from '@capt-endpoint/core/json';
 *
 * kubeTime(new Date('2026-11-26T12:00:00.123Z')); // '2026-11-26T12:00:00Z'
 * ```
 */
export const kubeTime = (date: Date): string => kubeTimeAt(date.getTime());

/** The last second formatted: a reconcile's writes stamp the same second several times. */
let lastFormatted: { readonly second: number; readonly text: string } | undefined;

/** `kubeTime` of a time in milliseconds since the epoch. */
export const kubeTimeAt = (ms: number): string => {
  const second = Math.floor(ms / 1000);
  if (lastFormatted?.second === second) return lastFormatted.text;
  const text = new Date(second * 1000).toISOString().replace(/\.\d{3}Z$/, 'Z');
  lastFormatted = { second, text };
  return text;
};
