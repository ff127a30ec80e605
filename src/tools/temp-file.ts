// A value handed to a command through a file of its own (wrangler's --path, kv bulk files), readable by this
// user only and removed afterwards, so no JSON is ever parsed as command-line flags. Node only.
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";

export async function withTempFile<T>(content: string, use: (path: string) => Promise<T>): Promise<T> {
  const dir = await mkdtemp(join(tmpdir(), "telemessage-"));
  try {
    const path = join(dir, "value");
    await writeFile(path, content, { mode: 0o600 });
    return await use(path);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
