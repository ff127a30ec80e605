// The help texts of `npm run tenants`: one overview and one page per command (`<command> --help`).

export const PROPAGATION_NOTE =
  "A change takes up to about a minute to reach every Cloudflare location (Workers KV propagation); until then some requests may still be answered with the previous record.";

const WHERE = `Where (every command):
  (default)              the local allow-list that \`npm start\` and \`wrangler dev\` use
  --remote --env <name>  Cloudflare's allow-list of that wrangler.toml environment (staging, production),
                         through wrangler and its login (\`npx wrangler login\` once). The name is checked
                         against wrangler.toml first. A write to production shows the target and the change
                         and asks before it is made
  -y, --yes              make a write to production without asking (scripts; --json needs it)
  --persist-to <dir>     local state directory other than .wrangler/state (wrangler's --persist-to)
  --config <path>        another wrangler.toml
  --json                 machine-readable output on stdout (errors too, with a non-zero exit)
  -h, --help             this page

Every change is recorded in the tenant's history (the audit trail in D1, \`history <tenant>\`) with who made
it: TENANTS_ACTOR if set, else the e-mail of your wrangler login (--remote) or your user name (local).
  --reason <text>        why, kept with the change (every command that writes)`;

export const TENANTS_USAGE = `usage: npm run tenants -- <command> [options]

The allow-list of Entra tenants that may provision users into the gateway (Workers KV, binding TENANTS).
A tenant is its Entra tenant id, a GUID (stored in lower case).

Commands:
  list                          every tenant on the allow-list, with when each was last seen and its errors
  show <tenant> [--host <url>]  one tenant's record, with each manager's Tenant URL
  activity <tenant>             what its Entra job did: last request, probe and write, 30 days of counts,
                                the last refusals with what Entra showed, users stored, forwarding
  doctor <tenant>               what is wrong, in plain words, and who must act
  add <tenant> --account <id> --name <name> --manager <name> [--manager <name> ...]
                                approve a tenant
  update <tenant> [...]         change the account, name, managers, country codes or auth mode
  disable <tenant>              block the tenant (403) without forgetting it
  enable <tenant>               unblock it
  remove <tenant> [--yes]       delete the record (asks first)
  issue-token <tenant>          create a secret token for Entra's Secret Token field (shown once)
  revoke-token <tenant>         delete the secret token
  history <tenant> [--limit n]  every recorded change: who, when, what, why, and whether the gateway has it
  move <tenant> --to <shard>    move its users to another shard (D1 database) while Entra keeps writing

${WHERE}

\`npm run tenants -- <command> --help\` explains one command. ${PROPAGATION_NOTE}`;

export const COMMAND_USAGE: Record<string, string> = {
  history: `usage: npm run tenants -- history <tenant> [--limit <n>] [--remote --env <name>] [--json]

The tenant's audit trail, newest first: each version with when, who (an Access e-mail for changes made in
the web console; the CLI's TENANTS_ACTOR or wrangler login), what changed field by field, the reason given,
and whether it reached KV (what the gateway reads). A publish that failed is shown with its error until the
gateway's cron, which retries every minute, lands it. Default limit 50.

${WHERE}`,
  move: `usage: npm run tenants -- move <tenant> --to <DB_n> [--rollback] [--stop-after <step>] [--remote --env <name>]

Moves the tenant's users, undelivered change events, delivery cursors and user count to another shard, live
(docs/operations.md, "Moving a tenant"). Steps: planned, copied, fenced, synced, verified, flipped,
unfenced, cleaned. From "fenced" to "unfenced" the tenant's writes answer 503 with Retry-After (Entra
retries); the record is flipped only after counts and checksums match; after the flip the command waits
longer than KV propagation plus the Worker's cache, twice (about 3 minutes). Its state is kept in the
first database, so an interrupted move is finished by running the same command again.
  --to <shard>         the shard to move to: DB, DB_2, ... as wrangler.toml declares
  --rollback           undo a move that has not flipped the record yet (the tenant stays where it was)
  --stop-after <step>  stop after that step; run the command again to go on

${WHERE}`,
  list: `usage: npm run tenants -- list [--remote --env <name>] [--json]

Lists every tenant on the allow-list: tenant id, TeleMessage account, enabled, last seen (its last
request, from the gateway's D1; "-" for none in 30 days), its answers other than 2xx in the last 24 h,
whether a secret token is issued, its shard (the D1 database that holds its users) with its users and
change events there, managers and name. A record the gateway cannot read is listed as INVALID
with the reason. When the D1 cannot be read the two activity columns show "?" and stderr says why.

${WHERE}`,
  activity: `usage: npm run tenants -- activity <tenant> [--remote --env <name>] [--json]

What the tenant's Entra provisioning job did, from the gateway's D1 (the environment's, with --remote):
its last request, last probe (Test Connection and the start of each cycle) and last successful write;
requests per UTC day for 30 days by kind (probe, lookup, create, update, disable, delete, other) and the
answers that were not 2xx; the last 50 refusals with time, request id and the detail Entra showed its
admin (phone numbers and e-mails masked); users stored (active, disabled); forwarding to the core
(pending, failed, the oldest undelivered, the last delivered). A tenant's requests reach D1 within about
30 s (its first request of a minute at once). --json prints it all, refusal details unabridged.

${WHERE}`,
  doctor: `usage: npm run tenants -- doctor <tenant> [--remote --env <name>] [--json]

Reads the tenant's activity and allow-list record and says what is wrong in plain words, and who must act
(the customer's Entra admin, the account manager, or operations): no request for hours ("is provisioning
on in Entra?"), Test Connection without users, a misspelt manager name and the registered one, refusals
by cause with the detail Entra showed, a disabled tenant's 403s, forwarding that failed or lags.
Exit 0 when nothing is a problem, 1 when something is.

${WHERE}`,
  show: `usage: npm run tenants -- show <tenant> [--host <url>] [--remote --env <name>] [--json]

Shows one tenant's record, and the Tenant URL of each manager's Entra app, ready to paste
(https://<host>/scim/v2/managers/<key>?aadOptscim062020). The secret token itself is never stored, only its
SHA-256, so it cannot be shown.
  --host <url>   the gateway's host for those URLs. Default: http://localhost:8787 locally; with --remote,
                 the first route of the environment in wrangler.toml (production's custom domain); staging
                 has none (its workers.dev address depends on the account), so pass it.

${WHERE}`,
  add: `usage: npm run tenants -- add <tenant> --account <id> --name <name> --manager <name> [--manager <name> ...]
                                [--any-manager] [--calling-code <code> ...] [--disabled] [--force]
                                [--shard <DB_n>] [--remote --env <name>] [--json]

Approves an Entra tenant.
  --account <id>     the TeleMessage account its users belong to (required)
  --name <name>      who the customer is, for people reading the list (required)
  --manager <name>   a TeleMessage company manager users may be assigned to (the SCIM displayName the
                     customer's Entra app sends as a constant); repeat for several. Names must be unique,
                     ignoring case. Each gets a key for its own Tenant URL (from its name, e.g.
                     ann-manager), which never changes afterwards.
  --any-manager      list no managers: accept any displayName (instead of --manager)
  --calling-code <c> a country calling code the tenant's mobile numbers have (1 for US/Canada, 44 for GB,
                     ...); repeat, or separate with commas. A number with any other code is refused with
                     a hint (a US number sent without its 1, say). Default: any code.
  --disabled         add it blocked, to enable later
  --force            replace an existing record entirely (its secret token, if any, is dropped); the tenant
                     stays on its shard
  --shard <name>     the D1 database (shard) that holds its users: DB, DB_2, ... as wrangler.toml declares.
                     Default: the shard that already holds its users, else the one with the most headroom
                     by the capacity rule (docs/capacity.md), which the command names

${WHERE}`,
  update: `usage: npm run tenants -- update <tenant> [--account <id>] [--name <name>] [--manager <name> ...]
                                   [--add-manager <name> ...] [--remove-manager <name> ...] [--any-manager]
                                   [--rename-manager <old>=<new> ...] [--remove-alias <name> ...]
                                   [--calling-code <code> ...] [--any-calling-code]
                                   [--auth entra-token|secret-token|both]
                                   [--remote --env <name>] [--json]

Changes part of a tenant's record; everything not named stays as it is.
  --account <id>                new TeleMessage account
  --name <name>                 new customer name
  --manager <name>              replace the whole manager list (repeat for several); managers left out are
                                retired, as with --remove-manager
  --add-manager <name>          add a manager to the list (repeatable); a retired one comes back with its key
  --remove-manager <name>       retire a manager, ignoring case (repeatable; at least one must remain). Its
                                Tenant URL still looks up, disables and deletes its users, but creates and
                                claims nothing. Says how many users are stored under it (D1, via wrangler).
  --rename-manager <old>=<new>  rename a manager: same key and Tenant URL; the users stored under the old
                                name move to the new one in D1 (one change event each, for the core), and
                                the old name stays an alias, accepted in displayName and stored as the new
                                one, until --remove-alias. Running it again finishes an interrupted move.
  --remove-alias <name>         stop accepting a former name (once every app sends the new one)
  --any-manager                 drop the list: accept any displayName
  --calling-code <code>         replace the allowed country calling codes (repeatable, or comma-separated)
  --any-calling-code            drop them: accept any country code
  --auth <mode>                 which bearer tokens the tenant may call with:
                                  entra-token   only Entra's signed token (a secret token gets 401)
                                  secret-token  only the secret token (Entra's tokens get 401; issue one first).
                                                Entra sends its signed tokens to every non-gallery SCIM app of the
                                                tenant, so this keeps other apps' tokens out (docs/security.md)
                                  both          either, as a record without a mode does

${WHERE}`,
  disable: `usage: npm run tenants -- disable <tenant> [--remote --env <name>] [--json]

Blocks the tenant: every call answers 403 until it is enabled again. Its users and record are kept.

${WHERE}`,
  enable: `usage: npm run tenants -- enable <tenant> [--remote --env <name>] [--json]

Unblocks a disabled tenant.

${WHERE}`,
  remove: `usage: npm run tenants -- remove <tenant> [--yes] [--remote --env <name>] [--json]

Deletes the tenant's record: its Entra app gets 403 from then on. Users already provisioned stay in D1.
Asks for confirmation unless --yes (scripts and --json must pass --yes).

${WHERE}`,
  "issue-token": `usage: npm run tenants -- issue-token <tenant> [--force] [--auth secret-token|both]
                                        [--remote --env <name>] [--json]

Creates a long random secret token (tm1.<tenant>.<random>) for the tenant, for the Entra admin to paste
into the app's Secret Token field when Entra's own signed token cannot be used. Only its SHA-256 is
stored: the token is printed once, here, and cannot be shown again.
Without --auth, asks whether the tenant should accept only this token from now on (auth mode
secret-token: Entra's signed tokens then get 401); scripts and --json are not asked, and the output says
how to switch later (\`update <tenant> --auth secret-token\`).
  --force   replace an existing token (the old one stops working)
  --auth    set the auth mode in the same write: secret-token (only this token) or both (keep Entra's too)

${WHERE}`,
  "revoke-token": `usage: npm run tenants -- revoke-token <tenant> [--remote --env <name>] [--json]

Deletes the tenant's secret token; calls with it get 401. Entra's own signed tokens keep working. Refused
while the auth mode is secret-token (that would refuse every call): replace the token instead, or switch
with \`update <tenant> --auth entra-token\` first.

${WHERE}`,
};
