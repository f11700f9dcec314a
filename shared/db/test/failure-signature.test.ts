import { describe, expect, test } from 'vitest';
import { failureSignature, failureText, normalizeFailureMessage } from '@pytest-platform/db';

describe('normalizeFailureMessage', () => {
  test.each([
    ['AssertionError: assert 404 == 200', 'AssertionError: assert <n> == <n>'],
    ['TimeoutError: gave up after 30.5s at 2026-11-26T10:00:00.123Z', 'TimeoutError: gave up after <n>s at <ts>'],
    ['KeyError: 7f9c1b2e-0d4a-4c1e-9b8a-1d2e3f4a5b6c', 'KeyError: <uuid>'],
    ['ValueError: <Foo object at 0x7f3a2b1c9d80> is closed', 'ValueError: <Foo object at <addr>> is closed'],
    ["FileNotFoundError: [Errno 2] No such file: '/tmp/pytest-of-ci/pytest-12/test_x0/out.json'", 'FileNotFoundError: [Errno <n>] No such file: <str>'],
    ['OSError: cannot write /tmp/pytest-of-ci/pytest-3/data.bin', 'OSError: cannot write <tmp>'],
    ['OSError: cannot write /var/folders/xy/abc123/T/tmpk2j3/data.bin', 'OSError: cannot write <tmp>'],
    ['OSError: cannot write C:\\Users\\ci\\AppData\\Local\\Temp\\tmp12\\data.bin', 'OSError: cannot write <tmp>'],
    ['AssertionError: expected "alice" but got "bob"', 'AssertionError: expected <str> but got <str>'],
    ['RuntimeError: commit 9fceb02d0ae598e95dc970b74767f19372d61af8 missing', 'RuntimeError: commit <hex> missing'],
    ['  AssertionError:\n   multi   line  ', 'AssertionError: multi line'],
  ])('%s', (message, expected) => {
    expect(normalizeFailureMessage(message)).toBe(expected);
  });

  test('keeps the exception type and identifiers that contain digits', () => {
    expect(normalizeFailureMessage('Http404Error in test_case_7: code 404')).toBe('Http404Error in test_case_7: code <n>');
    expect(normalizeFailureMessage('java.lang.IllegalStateException: boom')).toBe('java.lang.IllegalStateException: boom');
  });
});

describe('failureSignature', () => {
  test('messages that differ only in a number, an address and a temp path share a signature', () => {
    const a = failureSignature('ConnectionError: retry 3 failed for <Pool at 0x7f00aa11> writing /tmp/pytest-of-ci/pytest-1/db.sqlite');
    const b = failureSignature('ConnectionError: retry 17 failed for <Pool at 0x55d2bb93> writing /tmp/pytest-of-ci/pytest-88/db.sqlite');
    expect(a).toBe(b);
    expect(a).toMatch(/^[0-9a-f]{14}$/);
  });

  test('different exception types do not', () => {
    expect(failureSignature('ValueError: bad input 3')).not.toBe(failureSignature('TypeError: bad input 3'));
  });

  test('uses the last traceback line when there is no message', () => {
    expect(failureText(null, 'def test():\n>   x()\nE   ZeroDivisionError: division by zero\n')).toBe('E   ZeroDivisionError: division by zero');
    expect(failureSignature(null, 'E   KeyError: 12')).toBe(failureSignature('E   KeyError: 99'));
    expect(failureSignature(null, null)).toBe(failureSignature(''));
  });
});
