import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { defineConfig, type Plugin } from 'vite';
import react from '@vitejs/plugin-react';

// The program's artifacts, as `cargo build --release` writes them beside the wasm.
const artifacts = fileURLToPath(new URL('../target/wasm32-gear/release/', import.meta.url));
const META_TXT = process.env.W3B_META_TXT ?? `${artifacts}w3bstreaming.meta.txt`;
const RULES_JSON = process.env.W3B_RULES_JSON ?? `${artifacts}w3bstreaming.rules.json`;

/// `virtual:program-artifacts`: the metadata every message is encoded and decoded
/// with, and the program's limits and error texts, read from the build's files.
function programArtifacts(): Plugin {
  const id = 'virtual:program-artifacts';
  const read = (path: string) => {
    try {
      return readFileSync(path, 'utf8');
    } catch {
      throw new Error(`${path} is missing: build the program first (cargo build --release)`);
    }
  };
  return {
    name: 'program-artifacts',
    resolveId: (source) => (source === id ? `\0${id}` : undefined),
    load(resolved) {
      if (resolved !== `\0${id}`) return undefined;
      this.addWatchFile(META_TXT);
      this.addWatchFile(RULES_JSON);
      const metaHex = `0x${read(META_TXT).trim()}`;
      const rules = JSON.parse(read(RULES_JSON));
      return `export const metaHex = ${JSON.stringify(metaHex)};\nexport const rules = ${JSON.stringify(rules)};\n`;
    },
  };
}

export default defineConfig({
  plugins: [react(), programArtifacts()],
  // The port the local chain and the signaling server allow by default.
  server: { port: 3000, strictPort: true },
  // @polkadot and @gear-js make one large chunk; splitting it saves no download.
  build: { chunkSizeWarningLimit: 2000 },
});
