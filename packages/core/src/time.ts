/**
 * Kubernetes timestamps (metav1.Time): RFC 3339 in UTC, to the second.
 * @example
 * ```ts
 * import { kubeTime } from '@capt-endpoint/core/json';
 *
 * kubeTime(new Date('2026-11-26T12:00:00.123Z')); // '2026-11-26T12:00:00Z'
 * ```
 */
export const kubeTime = (date: Date): string => date.toISOString().replace(/\.\d{3}Z$/, 'Z');
