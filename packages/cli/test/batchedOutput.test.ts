import { batchedOutput } from '../src/batchedOutput';

const recorder = () => {
  const writes: string[] = [];
  return { writes, stream: { write: (text: string) => writes.push(text) } };
};

describe('batchedOutput', () => {
  beforeEach(() => jest.useFakeTimers());
  afterEach(() => jest.useRealTimers());

  it('holds lines until the delay has passed, then writes them in one write, in order', () => {
    const { writes, stream } = recorder();
    const output = batchedOutput(stream, { maxDelayMs: 100 });
    output.write('a\n');
    output.write('b\n');
    jest.advanceTimersByTime(99);
    expect(writes).toEqual([]);
    jest.advanceTimersByTime(1);
    expect(writes).toEqual(['a\nb\n']);
    output.write('c\n');
    jest.advanceTimersByTime(100);
    expect(writes).toEqual(['a\nb\n', 'c\n']);
  });

  it('writes at once when the held lines reach the byte limit', () => {
    const { writes, stream } = recorder();
    const output = batchedOutput(stream, { maxDelayMs: 100, maxBytes: 8 });
    output.write('1234\n');
    expect(writes).toEqual([]);
    output.write('5678\n');
    expect(writes).toEqual(['1234\n5678\n']);
    jest.advanceTimersByTime(100);
    expect(writes).toHaveLength(1);
  });

  it('counts the limit in UTF-8 bytes, not characters', () => {
    const { writes, stream } = recorder();
    const output = batchedOutput(stream, { maxDelayMs: 100, maxBytes: 8 });
    output.write('ééé\n');
    expect(writes).toEqual([]);
    output.write('é\n');
    expect(writes).toEqual(['ééé\né\n']);
  });

  it('flush writes what is held now, and nothing when nothing is held', () => {
    const { writes, stream } = recorder();
    const output = batchedOutput(stream);
    output.flush();
    expect(writes).toEqual([]);
    output.write('x\n');
    output.flush();
    expect(writes).toEqual(['x\n']);
    jest.advanceTimersByTime(1_000);
    expect(writes).toEqual(['x\n']);
  });

  it('keeps the stream\'s isTTY, which decides how the command styles its output', () => {
    expect(batchedOutput({ write: () => true, isTTY: true }).isTTY).toBe(true);
  });
});
