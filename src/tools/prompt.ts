// A yes/no question on the terminal, for the tools that confirm what they are about to do (a production
// write, a removal). Node only.
import { createInterface } from "node:readline/promises";

/** Asks on stderr; true only for "y" or "yes". Without a line to read (stdin closed, e.g. in CI) the answer is no. */
export async function confirm(question: string): Promise<boolean> {
  const rl = createInterface({ input: process.stdin, output: process.stderr });
  const closed = new Promise<string>((resolve) => rl.once("close", () => resolve("")));
  try {
    const answer = await Promise.race([rl.question(question), closed]);
    return /^y(es)?$/i.test(answer.trim());
  } finally {
    rl.close();
  }
}
