import Foundation
import Synchronization
import GSPCore
import GSPClient

/// A device whose wall clock a test sets (a step: the boot clock does not move with it) and
/// which it restarts (a new boot, its boot clock from zero), with no real clock change.
///
/// Time itself follows the real clock, or with `start` stands still until `pass` moves it.
public final class TestDevice: Sendable {
    private struct State { var manual: UInt64?; var wallError: Int64; var boot: String; var bootedAt: UInt64 }
    private let state: Mutex<State>

    public init(start: UInt64? = nil, wallError: Int64 = 0) {
        let now = start ?? Self.real()
        state = Mutex(State(manual: start, wallError: wallError, boot: UUID().uuidString.lowercased(), bootedAt: now - 3_600_000))
    }

    /// The true time (Unix ms).
    public var trueNow: UInt64 { state.withLock { Self.time($0) } }

    /// Lets `milliseconds` of time pass on a device with a `start`.
    public func pass(_ milliseconds: UInt64) { state.withLock { $0.manual = $0.manual.map { $0 + milliseconds } } }

    /// Sets the wall clock `error` ms off true time (negative: slow).
    public func setWallClock(error: Int64) { state.withLock { $0.wallError = error } }

    /// Restarts the device: a new boot id, the boot clock from zero.
    public func reboot() {
        state.withLock { $0.boot = UUID().uuidString.lowercased(); $0.bootedAt = Self.time($0) }
    }

    public var wallClock: WallClock {
        WallClock({ [self] in state.withLock { UInt64(Int64(Self.time($0)) + $0.wallError) } },
                  uptime: { [self] in state.withLock { Uptime(boot: $0.boot, milliseconds: Self.time($0) - $0.bootedAt) } })
    }

    private static func time(_ state: State) -> UInt64 { state.manual ?? real() }
    private static func real() -> UInt64 { UInt64(Date().timeIntervalSince1970 * 1000) }
}
