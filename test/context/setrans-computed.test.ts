import { describe, expect, it } from 'vitest';
import { parseSetrans } from '../../src/context/setrans.js';

// An MLS-style file in the manner of mcstrans's nato example: base classifications carry the
// Default bits of the releasability group, words with ~ clear them.
const MLS = `
Base=Sensitivity Levels
s1:c200.c203=CONFIDENTIAL
s2:c200.c203=SECRET
s2:c200.c203=S

ModifierGroup=Releasable To
Whitespace=- ,/
Join=/
Prefix=REL TO
Default=c200.c203
~c200,~c201=USA
~c200,~c202=GBR
~c200.c203=EVERYBODY

c300!c201
`;

describe('computed translations (Base + ModifierGroup)', () => {
  const t = parseSetrans(MLS, 'mls.conf');

  it('exact base lines translate as written; the first alias wins', () => {
    expect(t.toHuman('s2:c200.c203')).toBe('SECRET');
    expect(t.toRaw('S')).toBe('s2:c200.c203');
  });

  it('raw → human picks words by minimum Hamming distance and joins them', () => {
    // c200 and c201 cleared: exactly the word USA
    expect(t.toHuman('s2:c202,c203')).toBe('SECRET REL TO USA');
    // c200..c202 cleared: USA then GBR
    expect(t.toHuman('s2:c203')).toBe('SECRET REL TO USA/GBR');
  });

  it('human → raw consumes base, prefix and words; leftovers mean no translation', () => {
    expect(t.toRaw('SECRET REL TO USA')).toBe('s2:c202,c203');
    expect(t.toRaw('SECRET REL TO USA/GBR')).toBe('s2:c203');
    expect(t.toRaw('CONFIDENTIAL REL TO GBR')).toBe('s1:c201,c203');
    expect(t.toRaw('SECRET REL TO MARS')).toBe('SECRET REL TO MARS');
  });

  it('a level that cannot be fully covered stays raw', () => {
    expect(t.toHuman('s2:c7,c200.c203')).toBe('s2:c7,c200.c203');
  });

  it('constraints refuse computed translations (c300 excludes c201)', () => {
    expect(t.toHuman('s2:c202,c203,c300')).toBe('s2:c202,c203,c300');
  });
});
