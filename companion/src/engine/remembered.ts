/**
 * Remembers a pure string function's answers: the engine works out the same few country names,
 * company names and email domains for every lead. Bounded so odd input cannot grow it for ever: once
 * `most` answers are kept, they are all forgotten and remembering starts again. `fn` must not
 * answer `undefined`, which stands for "not worked out yet".
 */
export function remembered<T>(fn: (value: string) => T, most = 10_000): (value: string) => T {
  const seen = new Map<string, T>();
  return (value) => {
    let result = seen.get(value);
    if (result === undefined) {
      result = fn(value);
      if (seen.size >= most) seen.clear();
      seen.set(value, result);
    }
    return result;
  };
}
