import { describe, expect, it } from 'vitest';
import { fieldText, toStreamMessage } from '../src/stream-message.js';

describe('toStreamMessage', () => {
  it('keeps field values as read and decodes one only when asked; the first occurrence of a field wins', () => {
    const message = toStreamMessage([
      Buffer.from('1-0'),
      [Buffer.from('type'), Buffer.from('run'), Buffer.from('data'), Buffer.from('{"ü":"€"}'), Buffer.from('type'), Buffer.from('ignored')],
    ]);
    expect(message.id).toBe('1-0');
    expect(Buffer.isBuffer(message.fields!.data)).toBe(true);
    expect(fieldText(message.fields!, 'type')).toBe('run');
    expect(fieldText(message.fields!, 'data')).toBe('{"ü":"€"}');
    expect(fieldText(message.fields!, 'missing')).toBeUndefined();
    expect(fieldText(toStreamMessage(['2-0', ['data', 'as text']]).fields!, 'data')).toBe('as text');
  });

  it('gives an entry deleted while pending no fields', () => {
    expect(toStreamMessage(['3-0', null])).toEqual({ id: '3-0', fields: null });
  });
});
