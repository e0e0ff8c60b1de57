/**
 * Known-answer tests: the 8-leaf tree shared by the Certificate Transparency reference implementation
 * (merkle_tree_test.cc) and transparency-dev/merkle (proof/verify_test.go), with its roots, audit paths
 * and consistency proofs, and the same corruption probes those suites apply. An auditor can check these
 * numbers against either project.
 */
import { describe, expect, it } from 'vitest';
import { EMPTY_TREE_ROOT, fromHex, leafHash, toHex } from './hash.js';
import { arrayLeaves, refMth } from './merkle/rfc6962-reference.js';
import {
  consistencyProof,
  Frontier,
  inclusionProof,
  MemoryTree,
  rootHash,
  verifyConsistency,
  verifyInclusion,
} from './merkle.js';

const ENTRIES = [
  '',
  '00',
  '10',
  '2021',
  '3031',
  '40414243',
  '5051525354555657',
  '606162636465666768696a6b6c6d6e6f',
];
const LEAVES = ENTRIES.map((hex) => leafHash(Buffer.from(hex, 'hex')));
const TREE = new MemoryTree(LEAVES);

/** ROOTS[n] is the root of the first n leaves. */
const ROOTS = [
  'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855',
  '6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d',
  'fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125',
  'aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77',
  'd37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7',
  '4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4',
  '76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef',
  'ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c',
  '5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328',
].map(fromHex);

const root = (n: number) => ROOTS[n] as Buffer;
const hexes = (hashes: readonly Uint8Array[]) => hashes.map(toHex);

// transparency-dev/merkle names leaves from 1; these are 0-based indices.
const INCLUSION_VECTORS = [
  {
    index: 0,
    size: 8,
    proof: [
      '96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7',
      '5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e',
      '6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4',
    ],
  },
  {
    index: 5,
    size: 8,
    proof: [
      'bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b',
      'ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0',
      'd37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7',
    ],
  },
  { index: 2, size: 3, proof: ['fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125'] },
  {
    index: 1,
    size: 5,
    proof: [
      '6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d',
      '5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e',
      'bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b',
    ],
  },
];

const CONSISTENCY_VECTORS = [
  { oldSize: 1, newSize: 1, proof: [] },
  {
    oldSize: 1,
    newSize: 8,
    proof: [
      '96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7',
      '5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e',
      '6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4',
    ],
  },
  {
    oldSize: 6,
    newSize: 8,
    proof: [
      '0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a',
      'ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0',
      'd37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7',
    ],
  },
  {
    oldSize: 2,
    newSize: 5,
    proof: [
      '5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e',
      'bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b',
    ],
  },
  {
    oldSize: 6,
    newSize: 7,
    proof: [
      '0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a',
      'b08693ec2e721597130641e8211e7eedccb4c26413963eee6c1e2ed16ffb1a5f',
      'd37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7',
    ],
  },
];

const SOME_HASH = fromHex('abacaba000000000000000000000000000000000000000000060061e00123456');

describe('RFC 6962 reference tree (CT / transparency-dev vectors)', () => {
  it('hashes the leaves as the reference does (leaf 0 is SHA-256(0x00))', () => {
    expect(toHex(LEAVES[0] as Buffer)).toBe(toHex(root(1)));
    expect(toHex(EMPTY_TREE_ROOT)).toBe(toHex(root(0)));
  });

  it('computes the published root for every size 0..8, in all three ways', async () => {
    const frontier = new Frontier();
    for (let n = 0; n <= 8; n++) {
      expect(toHex(await rootHash(TREE, n)), `rootHash(${n})`).toBe(toHex(root(n)));
      expect(toHex(frontier.root()), `Frontier(${n})`).toBe(toHex(root(n)));
      expect(toHex(refMth(arrayLeaves(LEAVES), 0, n)), `reference(${n})`).toBe(toHex(root(n)));
      if (n < 8) frontier.append(LEAVES[n] as Buffer);
    }
  });

  describe.each(INCLUSION_VECTORS)(
    'audit path of leaf $index in a tree of $size',
    ({ index, size, proof }) => {
      const leaf = LEAVES[index] as Buffer;
      const path = proof.map(fromHex);

      it('is generated exactly and verifies', async () => {
        expect(hexes(await inclusionProof(TREE, index, size))).toEqual(proof);
        expect(verifyInclusion(leaf, index, size, path, root(size))).toBe(true);
      });

      it('fails every corruption probe of transparency-dev/merkle', () => {
        const probes: [string, () => boolean][] = [
          ['index - 1', () => verifyInclusion(leaf, index - 1, size, path, root(size))],
          ['index + 1', () => verifyInclusion(leaf, index + 1, size, path, root(size))],
          ['index ^ 2', () => verifyInclusion(leaf, index ^ 2, size, path, root(size))],
          ['size * 2', () => verifyInclusion(leaf, index, size * 2, path, root(size))],
          ['size / 2', () => verifyInclusion(leaf, index, Math.floor(size / 2), path, root(size))],
          ['wrong leaf', () => verifyInclusion(leafHash('WrongLeaf'), index, size, path, root(size))],
          ['short leaf', () => verifyInclusion(Buffer.from('WrongLeaf'), index, size, path, root(size))],
          ['empty root', () => verifyInclusion(leaf, index, size, path, EMPTY_TREE_ROOT)],
          ['random root', () => verifyInclusion(leaf, index, size, path, SOME_HASH)],
          [
            'trailing garbage',
            () => verifyInclusion(leaf, index, size, [...path, Buffer.alloc(0)], root(size)),
          ],
          ['trailing root', () => verifyInclusion(leaf, index, size, [...path, root(size)], root(size))],
          [
            'preceding garbage',
            () => verifyInclusion(leaf, index, size, [Buffer.alloc(0), ...path], root(size)),
          ],
          ['preceding root', () => verifyInclusion(leaf, index, size, [root(size), ...path], root(size))],
          ['removed component', () => verifyInclusion(leaf, index, size, path.slice(0, -1), root(size))],
          [
            'inserted component',
            () =>
              verifyInclusion(
                leaf,
                index,
                size,
                [path[0] as Buffer, SOME_HASH, ...path.slice(1)],
                root(size),
              ),
          ],
          ...path.map((_, i): [string, () => boolean] => [
            `proof[${i}] bit 3 flipped`,
            () => verifyInclusion(leaf, index, size, flipBit(path, i, 0, 8), root(size)),
          ]),
        ];
        const accepted = probes.filter(([, probe]) => probe()).map(([name]) => name);
        expect(accepted).toEqual([]);
      });
    },
  );

  describe.each(CONSISTENCY_VECTORS)(
    'consistency proof $oldSize → $newSize',
    ({ oldSize, newSize, proof }) => {
      const path = proof.map(fromHex);
      const [r1, r2] = [root(oldSize), root(newSize)];

      it('is generated exactly and verifies', async () => {
        expect(hexes(await consistencyProof(TREE, oldSize, newSize))).toEqual(proof);
        expect(verifyConsistency(oldSize, newSize, r1, r2, path)).toBe(true);
      });
    },
  );

  describe.each(CONSISTENCY_VECTORS.filter((v) => v.proof.length > 0))(
    'consistency proof $oldSize → $newSize',
    ({ oldSize, newSize, proof }) => {
      const path = proof.map(fromHex);
      const [r1, r2] = [root(oldSize), root(newSize)];

      it('fails every corruption probe of transparency-dev/merkle', () => {
        const probes: [string, () => boolean][] = [
          ['oldSize - 1', () => verifyConsistency(oldSize - 1, newSize, r1, r2, path)],
          ['oldSize + 1', () => verifyConsistency(oldSize + 1, newSize, r1, r2, path)],
          ['oldSize ^ 2', () => verifyConsistency(oldSize ^ 2, newSize, r1, r2, path)],
          ['newSize * 2', () => verifyConsistency(oldSize, newSize * 2, r1, r2, path)],
          ['newSize / 2', () => verifyConsistency(oldSize, Math.floor(newSize / 2), r1, r2, path)],
          ['wrong old root', () => verifyConsistency(oldSize, newSize, SOME_HASH, r2, path)],
          ['wrong new root', () => verifyConsistency(oldSize, newSize, r1, SOME_HASH, path)],
          ['short root', () => verifyConsistency(oldSize, newSize, Buffer.from('WrongRoot'), r2, path)],
          ['swapped roots', () => verifyConsistency(oldSize, newSize, r2, r1, path)],
          ['empty proof', () => verifyConsistency(oldSize, newSize, r1, r2, [])],
          ['trailing garbage', () => verifyConsistency(oldSize, newSize, r1, r2, [...path, Buffer.alloc(0)])],
          ['trailing old root', () => verifyConsistency(oldSize, newSize, r1, r2, [...path, r1])],
          ['trailing new root', () => verifyConsistency(oldSize, newSize, r1, r2, [...path, r2])],
          [
            'preceding garbage',
            () => verifyConsistency(oldSize, newSize, r1, r2, [Buffer.alloc(0), ...path]),
          ],
          ['preceding old root', () => verifyConsistency(oldSize, newSize, r1, r2, [r1, ...path])],
          ['preceding new root', () => verifyConsistency(oldSize, newSize, r1, r2, [r2, ...path])],
          [
            'preceding proof[0]',
            () => verifyConsistency(oldSize, newSize, r1, r2, [path[0] as Buffer, ...path]),
          ],
          ['truncated proof', () => verifyConsistency(oldSize, newSize, r1, r2, path.slice(0, -1))],
          ...path.map((_, i): [string, () => boolean] => [
            `proof[${i}] bit 4 flipped`,
            () => verifyConsistency(oldSize, newSize, r1, r2, flipBit(path, i, 0, 16)),
          ]),
        ];
        const accepted = probes.filter(([, probe]) => probe()).map(([name]) => name);
        expect(accepted).toEqual([]);
      });
    },
  );

  it('treats the trivial consistency cases strictly', () => {
    const a = root(3);
    const b = root(5);
    // Equal sizes: empty proof and equal roots, nothing else.
    expect(verifyConsistency(3, 3, a, a, [])).toBe(true);
    expect(verifyConsistency(3, 3, a, b, [])).toBe(false);
    expect(verifyConsistency(3, 3, a, a, [EMPTY_TREE_ROOT])).toBe(false);
    // The empty tree is a prefix of every tree, but only under its real root.
    expect(verifyConsistency(0, 5, EMPTY_TREE_ROOT, b, [])).toBe(true);
    expect(verifyConsistency(0, 0, EMPTY_TREE_ROOT, EMPTY_TREE_ROOT, [])).toBe(true);
    expect(verifyConsistency(0, 5, a, b, [])).toBe(false);
    expect(verifyConsistency(0, 0, a, a, [])).toBe(false);
    expect(verifyConsistency(0, 5, EMPTY_TREE_ROOT, b, [EMPTY_TREE_ROOT])).toBe(false);
    // Time travel.
    expect(verifyConsistency(5, 3, b, a, [])).toBe(false);
    expect(verifyConsistency(1, 0, root(1), EMPTY_TREE_ROOT, [])).toBe(false);
  });
});

function flipBit(path: readonly Buffer[], element: number, byte: number, mask: number): Buffer[] {
  return path.map((hash, i) => {
    if (i !== element) return hash;
    const copy = Buffer.from(hash);
    copy[byte] = (copy[byte] as number) ^ mask;
    return copy;
  });
}
