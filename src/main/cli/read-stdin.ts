import { badInput } from '../../shared/errors.ts';

/** Reads all of standard input (for --password-stdin); refuses a TTY so a password is never typed visibly. */
export async function readStdin(maxBytes = 1 << 20): Promise<string> {
  if (process.stdin.isTTY) throw badInput('Expected the password on standard input (pipe it in, e.g. printf %s "$PW" | gliofuse ...).');
  const chunks: Buffer[] = [];
  let n = 0;
  for await (const c of process.stdin) {
    const b = typeof c === 'string' ? Buffer.from(c) : (c as Buffer);
    n += b.length;
    if (n > maxBytes) throw badInput('Standard input is too large.');
    chunks.push(b);
  }
  return Buffer.concat(chunks).toString('utf8');
}
