// Setup file: every test of the Worker runs with the built-ins frozen, as the deployed Worker does
// (src/index.ts imports src/freeze-builtins.ts first). Unit tests import modules without src/index.ts, so
// without this they would measure the dependencies on prototypes the Worker never has.
import "../../src/freeze-builtins.ts";
