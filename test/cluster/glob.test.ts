import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { globMatch } from '../../src/cluster/glob.js';

describe('Redis glob patterns', () => {
  it('matches as PSUBSCRIBE does', () => {
    expect(globMatch('*', '+switch-master')).toBe(true);
    expect(globMatch('[-+]sdown', '+sdown')).toBe(true);
    expect(globMatch('[-+]sdown', '-sdown')).toBe(true);
    expect(globMatch('[-+]sdown', 'xsdown')).toBe(false);
    expect(globMatch('switch-master', '+switch-master')).toBe(false);
    expect(globMatch('+switch-*', '+switch-master')).toBe(true);
    expect(globMatch('h?llo', 'hallo')).toBe(true);
    expect(globMatch('h[^e]llo', 'hello')).toBe(false);
    expect(globMatch('h[a-b]llo', 'hbllo')).toBe(true);
    expect(globMatch('h\\*llo', 'h*llo')).toBe(true);
    expect(globMatch('h\\*llo', 'hallo')).toBe(false);
    expect(globMatch('a*b*c', 'axxbyyc')).toBe(true);
    expect(globMatch('a*b*c', 'axxbyy')).toBe(false);
  });

  it('agrees with a regular expression on patterns of literals, * and ?', () => {
    fc.assert(fc.property(fc.stringMatching(/^[ab*?]{0,8}$/), fc.stringMatching(/^[ab]{0,10}$/), (pattern, text) => {
      const regex = new RegExp(`^${pattern.replace(/\*/g, '.*').replace(/\?/g, '.')}$`, 's');
      expect(globMatch(pattern, text)).toBe(regex.test(text));
    }));
  });
});
