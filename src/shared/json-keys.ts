/**
 * JSON.parse keeps the last of two equal keys and drops the first without a word; for a genomic profile that means
 * one of two values for the same marker silently wins. This scanner finds keys that occur twice in one object of a
 * text that JSON.parse already accepted (so it only has to tokenise valid JSON).
 */
export function duplicateJsonKeys(text: string): string[] {
  const dups = new Set<string>();
  const stack: { keys: Set<string> | null; expectKey: boolean }[] = [];
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    const top = stack[stack.length - 1];
    if (c === '{') stack.push({ keys: new Set(), expectKey: true });
    else if (c === '[') stack.push({ keys: null, expectKey: false });
    else if (c === '}' || c === ']') stack.pop();
    else if (c === ',') { if (top?.keys) top.expectKey = true; }
    else if (c === '"') {
      let j = i + 1;
      while (j < text.length && text[j] !== '"') j += text[j] === '\\' ? 2 : 1;
      if (top?.keys && top.expectKey) {
        const key = JSON.parse(text.slice(i, j + 1)) as string;
        if (top.keys.has(key)) dups.add(key);
        top.keys.add(key);
        top.expectKey = false;
      }
      i = j;
    }
  }
  return [...dups];
}
