// Who is running `npm run tenants`, for the audit trail (issue 14 §3). TENANTS_ACTOR names them outright
// (scripts, CI, or a person on the local allow-list); otherwise a change to Cloudflare's allow-list is
// signed with the e-mail of the wrangler login it is made with (`wrangler whoami --json`), and a change to
// the local one with the operating system's user name. A remote change whose author cannot be told is
// refused before anything is written: an audit entry by nobody would be worse than none.
import { userInfo } from "node:os";
import { parseJsonOutput, runWrangler, type RunWrangler, type WranglerTarget } from "../wrangler/run.ts";

export const ACTOR_VARIABLE = "TENANTS_ACTOR";

export async function cliActor(target: WranglerTarget, env: Record<string, string | undefined> = process.env, run: RunWrangler = runWrangler): Promise<string> {
  const named = env[ACTOR_VARIABLE]?.trim();
  if (named) return named.slice(0, 200);
  if (!target.remote) return `${userInfo().username} (local)`;
  const result = await run(["whoami", "--json", ...(target.config ? ["--config", target.config] : [])]);
  let who: { email?: unknown; authType?: unknown; accounts?: { name?: unknown }[] } = {};
  try {
    who = result.status === 0 ? (parseJsonOutput(result.stdout) as typeof who) : {};
  } catch {
    who = {};
  }
  if (typeof who.email === "string" && who.email) return who.email;
  const account = who.accounts?.[0]?.name;
  if (typeof who.authType === "string" && typeof account === "string") return `${who.authType} of account ${account}`;
  throw new Error(
    `cannot tell who you are for the audit trail: \`wrangler whoami\` names no one (log in with \`npx wrangler login\`, or set ${ACTOR_VARIABLE}=<your e-mail>)`,
  );
}
