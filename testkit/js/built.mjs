// Where the tests find what `cargo test --release --workspace` built, so that they run
// the same build the Rust tests ran instead of compiling another one.
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

export const root = fileURLToPath(new URL('../..', import.meta.url));

/// The path of a binary under target/release (`w3bstreaming-signaling`,
/// `w3bstreaming-devnode`); throws if it has not been built.
export function builtBinary(name) {
  const path = `${root}target/release/${name}`;
  if (!existsSync(path)) {
    throw new Error(`${path} is missing: run scripts/test.sh, or cargo test --release --workspace --no-run`);
  }
  return path;
}
