// The Redis version Keel reports to clients (its command surface follows Redis 7.2), and
// Keel's own version.
export const KEEL_VERSION = '7.2.0';
export const KEEL_RELEASE = '0.1.0';
