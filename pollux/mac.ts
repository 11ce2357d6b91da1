/**
 * The machine's MAC address, which Pollux stores with each daemon to group
 * the daemons of one machine.
 *
 * @module
 */

/** Address sent when no network interface has a usable MAC address. */
export const FALLBACK_MAC = "00:00:00:00:00:00";

/** Result of {@linkcode findMacAddress}: the address and its source. */
export interface MacAddress {
  /** Lower-case `aa:bb:cc:dd:ee:ff`. */
  address: string;
  /** Interface it belongs to, or `undefined` for {@linkcode FALLBACK_MAC}. */
  interfaceName: string | undefined;
  /** Reason for the fallback, or `undefined` when an interface was found. */
  fallbackReason: string | undefined;
}

/**
 * Picks the MAC address of the machine: the first interface, by name, whose
 * MAC is neither all zeros (loopback, tunnels) nor missing. The choice is
 * stable across restarts as long as the interfaces stay the same.
 *
 * Falls back to {@linkcode FALLBACK_MAC} when no interface qualifies or when
 * the interfaces cannot be listed (no `--allow-sys` permission). The result
 * then carries the reason, so the caller can log it.
 *
 * @param list Lists the interfaces; default `Deno.networkInterfaces`.
 */
export function findMacAddress(
  list: () => Deno.NetworkInterfaceInfo[] = Deno.networkInterfaces,
): MacAddress {
  let interfaces: Deno.NetworkInterfaceInfo[];
  try {
    interfaces = list();
  } catch (error) {
    return {
      address: FALLBACK_MAC,
      interfaceName: undefined,
      fallbackReason: `the network interfaces cannot be listed (${
        error instanceof Error ? error.message : String(error)
      })`,
    };
  }

  const candidates = interfaces
    .filter((info) => /^[0-9a-f]{2}(:[0-9a-f]{2}){5}$/i.test(info.mac) && info.mac !== FALLBACK_MAC)
    .sort((a, b) => a.name.localeCompare(b.name));
  const chosen = candidates[0];
  if (!chosen) {
    return {
      address: FALLBACK_MAC,
      interfaceName: undefined,
      fallbackReason: "no network interface has a MAC address other than 00:00:00:00:00:00",
    };
  }
  return {
    address: chosen.mac.toLowerCase(),
    interfaceName: chosen.name,
    fallbackReason: undefined,
  };
}
