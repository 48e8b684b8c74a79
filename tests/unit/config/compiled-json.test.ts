import { describe, expect, it } from 'vitest';
import { defaultTopicPack } from '#shared/classify/topic-pack.ts';
import { encodeCompiledJson, parseCompiledJson } from '#shared/config/runtime.ts';

describe('JSON compiled into a bundle', () => {
  it('comes back as the same value, the built-in pack at under half its size', () => {
    const json = JSON.stringify(defaultTopicPack());
    const encoded = encodeCompiledJson(json);
    expect(parseCompiledJson('FUNDWATCH_TOPIC_PACK', encoded)).toEqual(JSON.parse(json));
    expect(encoded.length).toBeLessThan(json.length / 2);
    expect(encoded).toMatch(/^[A-Za-z0-9+/]+=*$/);
  });

  it('keeps non-ASCII text intact (Cyrillic, Romanian comma letters)', () => {
    const value = { terms: ['Київ', 'Киев', 'București', 'Bucureşti'] };
    expect(parseCompiledJson('X', encodeCompiledJson(JSON.stringify(value)))).toEqual(value);
  });

  it('names the variable when it is missing, not compressed, or not JSON', () => {
    expect(() => parseCompiledJson('FUNDWATCH_CONFIG', undefined)).toThrow(/FUNDWATCH_CONFIG is not set/);
    expect(() => parseCompiledJson('FUNDWATCH_TOPIC_PACK', '{"topics":[]}')).toThrow(/FUNDWATCH_TOPIC_PACK is not gzip \+ base64/);
    expect(() => parseCompiledJson('FUNDWATCH_CONFIG', encodeCompiledJson('{"feeds":'))).toThrow(/FUNDWATCH_CONFIG is not valid JSON/);
  });
});
