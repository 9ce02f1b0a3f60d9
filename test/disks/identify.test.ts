import { test } from 'node:test';
import assert from 'node:assert/strict';
import { copyFileSync, mkdtempSync, openSync, readFileSync, rmSync, truncateSync, writeSync, closeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { bufferSource, fdSource } from '../../src/disks/superblocks/byte-source';
import { identifyPath, identifySource } from '../../src/disks/identify';
import { IMAGE_CASES, blkidExport, needTool } from './images';

const dir = mkdtempSync(join(tmpdir(), 'kexec-menu-identify-'));
process.on('exit', () => rmSync(dir, { recursive: true, force: true }));

needTool('blkid');

/** Where each file system keeps what a probe checks first: cutting there must give unknown. */
const SUPERBLOCK_AT: Record<string, number> = {
  ext2: 1024 + 0x38, ext3: 1024 + 0x38, ext4: 1024 + 0x38, vfat: 0x1fe, exfat: 3, btrfs: 65536 + 0x40,
  xfs: 0, f2fs: 1024, squashfs: 0, iso9660: 0x8001, ntfs: 3,
};

let n = 0;
for (const c of IMAGE_CASES) {
  test(`${c.name}: type, label and UUID as blkid reports them`, () => {
    needTool(c.tool);
    const img = join(dir, `${++n}.img`);
    const scratch = mkdtempSync(join(dir, 'src-'));
    c.make(img, scratch);
    const blkid = blkidExport(img);
    assert.equal(blkid.get('TYPE'), c.type, `blkid itself sees ${c.type}`);
    const id = identifyPath(img);
    assert.equal(id.type, c.type);
    assert.ok(id.type !== 'unknown');
    assert.equal(id.label, blkid.get('LABEL'), 'LABEL');
    assert.equal(id.uuid, blkid.get('UUID'), 'UUID');
    if (c.type === 'vfat' || c.type === 'iso9660') assert.equal(id.version, blkid.get('VERSION'), 'VERSION');
    if (c.type === 'vfat') assert.equal(id.bootLabel, blkid.get('LABEL_FATBOOT'), 'LABEL_FATBOOT');
    assert.equal(id.needsRecovery === true, c.name.includes('needs recovery'), 'needsRecovery');

    // Truncated where the superblock is: unknown, as for blkid.
    const cut = join(dir, `${n}-cut.img`);
    copyFileSync(img, cut);
    truncateSync(cut, SUPERBLOCK_AT[c.type]!);
    assert.deepEqual(identifyPath(cut), { type: 'unknown' }, 'truncated');
    assert.equal(blkidExport(cut).get('TYPE'), undefined, 'blkid finds nothing in the truncated copy either');
  });
}

test('a label that only the FAT boot sector has is LABEL_FATBOOT, not LABEL (as blkid and GRUB read FAT)', async () => {
  needTool('mkfs.vfat');
  const { run } = await import('./loop');
  const img = join(dir, 'bootlabel.img');
  run('mkfs.vfat', ['-C', '-F', '16', '-n', 'ROOTDIR', '-i', '11112222', img, '16384']);
  const fd = openSync(img, 'r+');
  writeSync(fd, Buffer.from('BOOTSECT   ', 'latin1'), 0, 11, 0x2b);
  closeSync(fd);
  const id = identifyPath(img);
  const blkid = blkidExport(img);
  assert.equal(id.type, 'vfat');
  assert.ok(id.type === 'vfat');
  assert.equal(id.label, 'ROOTDIR');
  assert.equal(id.bootLabel, 'BOOTSECT');
  assert.equal(blkid.get('LABEL'), 'ROOTDIR');
  assert.equal(blkid.get('LABEL_FATBOOT'), 'BOOTSECT');
  assert.equal(id.uuid, '1111-2222');
});

/** Flips bits in `bytes` at `offsets`. */
function corrupt(bytes: Uint8Array, offsets: readonly number[]): Uint8Array {
  const copy = Uint8Array.from(bytes);
  for (const o of offsets) copy[o] = copy[o]! ^ 0x5a;
  return copy;
}

/** A byte inside each checksummed superblock's label: the checksum must catch it. */
const CHECKSUMMED_LABEL_BYTE: Record<string, number> = { ext4: 1024 + 0x78, btrfs: 65536 + 299, xfs: 108, f2fs: 1024 + 0x7c, exfat: 100 /* serial, inside the boot checksum */ };
/** The magic of each file system. */
const MAGIC_BYTE: Record<string, number> = { ext2: 1024 + 0x38, ext3: 1024 + 0x38, ext4: 1024 + 0x38, vfat: 0x0c /* sector size: 0x5a02, not a power of two */, iso9660: 0x8001, squashfs: 0, ntfs: 3, btrfs: 65536 + 0x40, xfs: 0, f2fs: 1024, exfat: 3 };

test('corrupted superblocks are unknown: a changed byte under a checksum, a broken magic, random damage', () => {
  let checked = 0;
  for (const [i, c] of IMAGE_CASES.entries()) {
    const img = join(dir, `${i + 1}.img`);
    let bytes: Uint8Array;
    try {
      bytes = new Uint8Array(readFileSync(img).subarray(0, 1 << 20));
    } catch {
      assert.fail(`${c.name}: ${img} was not made (its own test above failed)`);
    }
    const base = identifySource(bufferSource(bytes));
    if (base.type === 'unknown') continue;
    const checksummed = CHECKSUMMED_LABEL_BYTE[c.type];
    if (checksummed !== undefined && !c.name.includes('without metadata_csum')) {
      assert.deepEqual(identifySource(bufferSource(corrupt(bytes, [checksummed]))), { type: 'unknown' }, `${c.name}: checksum`);
    }
    assert.deepEqual(identifySource(bufferSource(corrupt(bytes, [MAGIC_BYTE[c.type]!]))), { type: 'unknown' }, `${c.name}: magic`);
    // Random damage in the first 128 KiB: never an exception, never another file system.
    let seed = 12345 + i;
    const rand = () => ((seed = (seed * 1103515245 + 12345) >>> 0) >>> 8) % (128 * 1024);
    for (let k = 0; k < 200; k++) {
      const offsets = Array.from({ length: 1 + (k % 8) }, rand);
      const got = identifySource(bufferSource(corrupt(bytes, offsets)));
      assert.ok(got.type === 'unknown' || got.type === base.type, `${c.name}: damage turned it into ${got.type}`);
    }
    checked++;
  }
  assert.ok(checked > 0, 'at least one image was made');
});

test('reads are bounded: a source that runs out of budget gives unknown, not an exception', () => {
  const img = join(dir, 'budget.img');
  const fd = openSync(img, 'w+');
  try {
    writeSync(fd, Buffer.alloc(1 << 20, 0xff));
    assert.deepEqual(identifySource(fdSource(fd, 1 << 20, 4096)), { type: 'unknown' });
    assert.equal(fdSource(fd, 1 << 20).read(-1, 10), undefined);
    assert.equal(fdSource(fd, 1 << 20).read((1 << 20) - 4, 8), undefined, 'past the end');
    assert.equal(fdSource(fd).read(0, 2 << 20), undefined, 'larger than one read may be');
  } finally {
    closeSync(fd);
  }
  assert.deepEqual(identifyPath(join(dir, 'does-not-exist')), { type: 'unknown' });
  assert.deepEqual(identifyPath(dir), { type: 'unknown' }, 'a folder');
});
