// Reads the .meta.txt the build wrote the way Gear IDEA and @gear-js/api frontends do,
// and checks that it describes the program's messages.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { ProgramMetadata, MetadataVersion } from '@gear-js/api';

const metaTxt = new URL('../target/wasm32-gear/release/w3bstreaming.meta.txt', import.meta.url);
const meta = ProgramMetadata.from(`0x${readFileSync(metaTxt, 'utf8').trim()}`);
const { handle, state, init } = meta.types;
const rustPath = (index) => meta.portableRegistry.getSiType(index).path.map(String).join('::');

test('.meta.txt is Rust metadata, version 2', () => {
  assert.equal(meta.version, MetadataVersion.V2Rust);
});

// Frontends see each type under a name derived from its Rust path; these are the names
// the original program's metadata gave them.
test('handle takes an Action and replies an Event', () => {
  assert.equal(rustPath(handle.input), 'w3bstreaming_io::Action');
  assert.equal(meta.getTypeName(handle.input), 'W3bstreamingIoAction');
  assert.equal(rustPath(handle.output), 'w3bstreaming_io::Event');
  assert.equal(meta.getTypeName(handle.output), 'W3bstreamingIoEvent');
  const variants = Object.keys(meta.getTypeDef(handle.input)._variants);
  assert.deepEqual(variants.slice(0, 5), [
    'NewStream', 'DeleteStream', 'EditStream', 'Subscribe', 'EditProfile',
  ]);
});

test('state takes a StateQuery whose first variants are Streams and Users', () => {
  assert.equal(rustPath(state.input), 'w3bstreaming_io::StateQuery');
  assert.equal(meta.getTypeName(state.input), 'W3bstreamingIoStateQuery');
  assert.equal(rustPath(state.output), 'w3bstreaming_io::StateReply');
  const variants = Object.keys(meta.getTypeDef(state.input)._variants);
  assert.deepEqual(variants.slice(0, 2), ['Streams', 'Users']);
  assert.equal(meta.createType(state.input, { Users: null }).toHex(), '0x01');
});

test('init takes nothing', () => {
  assert.equal(init.input, null);
  assert.equal(init.output, null);
});
