import Foundation
#if canImport(Glibc)
@preconcurrency import Glibc
#endif
import GSPCore

extension Uptime {
    /// This device's boot clock: Linux `CLOCK_BOOTTIME` (it counts through suspend, and nobody
    /// sets it) with the kernel's boot id; nil where there is none (other systems for now).
    public static func system() -> Uptime? {
        #if canImport(Glibc)
        guard let boot = bootID else { return nil }
        var time = timespec()
        guard clock_gettime(CLOCK_BOOTTIME, &time) == 0 else { return nil }
        return Uptime(boot: boot, milliseconds: UInt64(time.tv_sec) * 1_000 + UInt64(time.tv_nsec) / 1_000_000)
        #else
        return nil
        #endif
    }

    #if canImport(Glibc)
    /// Read once: a process never outlives its boot.
    private static let bootID: String? = {
        let text = try? String(contentsOfFile: "/proc/sys/kernel/random/boot_id", encoding: .utf8)
        let id = text?.trimmingCharacters(in: .whitespacesAndNewlines) ?? ""
        return id.isEmpty ? nil : id
    }()
    #endif
}
