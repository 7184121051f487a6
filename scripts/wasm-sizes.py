#!/usr/bin/env python3
"""Where a wasm file's bytes are: its sections, its code by crate, and its largest
functions, named from the file's `name` section (the unoptimized `.wasm` cargo writes
beside the `.opt.wasm`; wasm-opt drops the names).

    scripts/wasm-sizes.py target/wasm32-gear/release/w3bstreaming.wasm [--top 25]
"""
import argparse
import collections
import re

SECTIONS = {0: 'custom', 1: 'type', 2: 'import', 3: 'function', 4: 'table', 5: 'memory',
            6: 'global', 7: 'export', 8: 'start', 9: 'element', 10: 'code', 11: 'data',
            12: 'data count'}
# The first of these a symbol names is the crate its code is counted for.
CRATES = ['w3bstreaming_state', 'w3bstreaming_io', 'w3bstreaming', 'gstd', 'gcore',
          'gear_dlmalloc', 'galloc', 'parity_scale_codec', 'hashbrown', 'compiler_builtins',
          'alloc', 'core']


def leb(data, at):
    value = shift = 0
    while True:
        byte = data[at]
        at += 1
        value |= (byte & 0x7F) << shift
        shift += 7
        if byte < 0x80:
            return value, at


def read(path):
    data = open(path, 'rb').read()
    at, sections = 8, []
    while at < len(data):
        kind = data[at]
        size, at = leb(data, at + 1)
        sections.append((kind, data[at:at + size]))
        at += size
    return sections


def imported_functions(body):
    count, at = leb(body, 0)
    functions = 0
    for _ in range(count):
        for _ in range(2):
            length, at = leb(body, at)
            at += length
        kind = body[at]
        at += 1
        if kind == 0:
            _, at = leb(body, at)
            functions += 1
        elif kind == 1:
            at += 1
            limits = body[at]
            _, at = leb(body, at + 1)
            if limits & 1:
                _, at = leb(body, at)
        elif kind == 2:
            limits = body[at]
            _, at = leb(body, at + 1)
            if limits & 1:
                _, at = leb(body, at)
        else:
            at += 2
    return functions


def function_names(body):
    length, at = leb(body, 0)
    if body[at:at + length] != b'name':
        return {}
    at += length
    names = {}
    while at < len(body):
        sub = body[at]
        size, at = leb(body, at + 1)
        end = at + size
        if sub == 1:
            count, at = leb(body, at)
            for _ in range(count):
                index, at = leb(body, at)
                length, at = leb(body, at)
                names[index] = body[at:at + length].decode(errors='replace')
                at += length
        at = end
    return names


def crate_of(name):
    found = []
    for crate in CRATES:
        # A path component in either mangling: `18w3bstreaming_state5query`, or
        # `w3bstreaming_state..schedule` inside a generic impl.
        match = re.search(rf'(?:^|[^A-Za-z_]){crate}(?=\d|\.\.|::|\$|$)', name)
        if match:
            found.append((match.start(), crate))
    return min(found)[1] if found else 'unnamed'


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('wasm')
    parser.add_argument('--top', type=int, default=25)
    args = parser.parse_args()
    sections = read(args.wasm)
    imports = sum(imported_functions(body) for kind, body in sections if kind == 2)
    names = {}
    for kind, body in sections:
        if kind == 0:
            names.update(function_names(body))
    sizes = []
    for kind, body in sections:
        if kind == 10:
            count, at = leb(body, 0)
            for index in range(count):
                size, at = leb(body, at)
                sizes.append((size, names.get(imports + index, f'function {imports + index}')))
                at += size
    print('sections:', ', '.join(f'{SECTIONS.get(kind, kind)} {len(body)}' for kind, body in sections))
    print(f'code: {sum(size for size, _ in sizes)} bytes in {len(sizes)} functions')
    by_crate = collections.Counter()
    for size, name in sizes:
        by_crate[crate_of(name)] += size
    print('code by crate:', ', '.join(f'{crate} {size}' for crate, size in by_crate.most_common()))
    for size, name in sorted(sizes, reverse=True)[:args.top]:
        print(f'{size:7} {name[:160]}')


if __name__ == '__main__':
    main()
