// What the header says: the program and its version, and the machine it runs on (DMI's
// product name on x86 PCs, the device tree's `model` on ARM boards).
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';

/**
 * kexec-menu's version from its package.json, found by walking up from this module: beside
 * the bundle in the image (/usr/lib/kexec-menu/package.json), at the top of a checkout.
 */
export function productVersion(from: string = __dirname): string | undefined {
  let dir = from;
  for (let i = 0; i < 6; i++) {
    try {
      const pkg = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as { name?: unknown; version?: unknown };
      if (pkg.name === 'kexec-menu' && typeof pkg.version === 'string') return pkg.version;
    } catch {
      /* not here */
    }
    const up = dirname(dir);
    if (up === dir) break;
    dir = up;
  }
  return undefined;
}

function readText(path: string): string | undefined {
  try {
    // Device-tree strings end in NUL; DMI files in a newline. Bounded: these are tiny files.
    const text = readFileSync(path, 'latin1').slice(0, 256).split('\0')[0]!.trim();
    return text || undefined;
  } catch {
    return undefined;
  }
}

/** Placeholder strings firmware leaves in DMI when the vendor filled nothing in. */
const DMI_PLACEHOLDER = /^(to be filled by o\.e\.m\.|default string|system product name|not applicable|none|unknown|0+)$/i;

/** The machine's name, or undefined when neither DMI nor a device tree gives one. */
export function machineName(root = '/'): string | undefined {
  const model = readText(join(root, 'proc/device-tree/model'));
  if (model) return model;
  const product = readText(join(root, 'sys/class/dmi/id/product_name'));
  if (product && !DMI_PLACEHOLDER.test(product)) {
    const vendor = readText(join(root, 'sys/class/dmi/id/sys_vendor'));
    return vendor && !DMI_PLACEHOLDER.test(vendor) && !product.toLowerCase().startsWith(vendor.toLowerCase()) ? `${vendor} ${product}` : product;
  }
  return undefined;
}
