import { FALLBACK_MAC, findMacAddress } from "../../pollux/mac.ts";
import { assertEquals, assertMatch, assertStringIncludes } from "./_assert.ts";

function nic(name: string, mac: string): Deno.NetworkInterfaceInfo {
  return {
    family: "IPv4",
    name,
    address: "192.0.2.1",
    netmask: "255.255.255.0",
    scopeid: null,
    cidr: "",
    mac,
  };
}

Deno.test("findMacAddress() skips loopback and picks the first name", () => {
  const found = findMacAddress(
    () => [
      nic("wlan0", "AA:BB:CC:00:00:02"),
      nic("lo", FALLBACK_MAC),
      nic("eth0", "02:fc:00:00:00:01"),
    ],
  );
  assertEquals(found, {
    address: "02:fc:00:00:00:01",
    interfaceName: "eth0",
    fallbackReason: undefined,
  });
});

Deno.test("findMacAddress() lowers the case of the address", () => {
  assertEquals(
    findMacAddress(() => [nic("en0", "AA:BB:CC:DD:EE:FF")]).address,
    "aa:bb:cc:dd:ee:ff",
  );
});

Deno.test("findMacAddress() falls back when nothing qualifies", () => {
  const found = findMacAddress(() => [nic("lo", FALLBACK_MAC)]);
  assertEquals(found.address, FALLBACK_MAC);
  assertStringIncludes(found.fallbackReason ?? "", "no network interface");
});

Deno.test("findMacAddress() falls back without permission", () => {
  const found = findMacAddress(() => {
    throw new Deno.errors.NotCapable("Requires sys access");
  });
  assertEquals(found.address, FALLBACK_MAC);
  assertStringIncludes(found.fallbackReason ?? "", "Requires sys access");
});

Deno.test("findMacAddress() reads this machine", () => {
  assertMatch(findMacAddress().address, /^[0-9a-f]{2}(:[0-9a-f]{2}){5}$/);
});
