// npm run core-emulator [-- --port 8788 --token <CORE_TOKEN>]: the TeleMessage core emulator
// (src/tools/dev/core-emulator.ts) as a local HTTP service, which `npm start` runs next to the gateway so
// forwarding can be watched end to end. Without --token (or CORE_TOKEN in the environment) any bearer
// token is accepted. One line per call on stdout; never a phone number.
//
//   curl localhost:8788/users                      what the core holds per user
//   curl localhost:8788/events                     every call received, with the answer given
//   curl -d '{"mode":"500","count":3}' localhost:8788/_control/fail      misbehave (500|429|400|hang)
//   curl -X DELETE localhost:8788/_control/fail                           behave again
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import { parseArgs } from "node:util";
import { createCoreEmulator } from "./core-emulator.ts";

export const DEFAULT_CORE_EMULATOR_PORT = 8788;

const { values } = parseArgs({
  options: { port: { type: "string" }, token: { type: "string" }, help: { type: "boolean", short: "h" } },
  strict: true,
});
if (values.help) {
  process.stdout.write("usage: npm run core-emulator -- [--port 8788] [--token <bearer token to require>]\n");
  process.exit(0);
}
const port = Number(values.port ?? DEFAULT_CORE_EMULATOR_PORT);
const token = values.token ?? process.env.CORE_TOKEN;
const emulator = createCoreEmulator(token ? { token } : {});

function toRequest(req: IncomingMessage, body: Buffer, signal: AbortSignal): Request {
  const headers = new Headers();
  for (let i = 0; i + 1 < req.rawHeaders.length; i += 2) headers.append(req.rawHeaders[i]!, req.rawHeaders[i + 1]!);
  const method = req.method ?? "GET";
  return new Request(`http://localhost:${port}${req.url ?? "/"}`, {
    method,
    headers,
    ...(method !== "GET" && method !== "HEAD" && { body }),
    signal,
  });
}

async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
  // A hung call ends when the caller gives up (the gateway's timeout closes the connection).
  const gone = new AbortController();
  res.on("close", () => {
    if (!res.writableFinished) gone.abort(new DOMException("the caller went away", "AbortError"));
  });
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  try {
    const response = await emulator.handle(toRequest(req, Buffer.concat(chunks), gone.signal));
    res.writeHead(response.status, Object.fromEntries(response.headers));
    res.end(Buffer.from(await response.arrayBuffer()));
    if (req.url?.startsWith("/v1/")) {
      const last = emulator.events().at(-1);
      const event = last?.event as { type?: string; version?: number; eventId?: string } | undefined;
      console.log(`${req.method} ${req.url} ${response.status} ${last?.outcome ?? ""} ${event?.type ?? ""} v${event?.version ?? "?"} ${event?.eventId ?? ""}`);
    }
  } catch {
    if (gone.signal.aborted) console.log(`${req.method} ${req.url} abandoned by the caller (hang)`);
    res.destroy();
  }
}

// "localhost" is 127.0.0.1 for some resolvers and ::1 for others; listen on both loopbacks, nothing else.
const servers = ["127.0.0.1", "::1"].map((host) => {
  const server = createServer((req, res) => void handle(req, res));
  server.on("error", (error: NodeJS.ErrnoException) => {
    if (host === "::1" && error.code === "EADDRNOTAVAIL") return; // no IPv6 loopback here
    console.error(`core emulator: ${error.message}`);
    process.exit(1);
  });
  server.listen(port, host);
  return server;
});
servers[0]!.on("listening", () => {
  console.log(`TeleMessage core emulator on http://localhost:${port} (${token ? "requires the configured CORE_TOKEN" : "accepts any bearer token"})`);
});

const stop = () => {
  for (const server of servers) {
    server.closeAllConnections();
    server.close();
  }
  process.exit(0);
};
process.on("SIGINT", stop);
process.on("SIGTERM", stop);
