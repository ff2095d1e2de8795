import Foundation

/// Runs blocking work (a libcurl transfer, a socket read) on a thread of its own, so it holds
/// neither a thread of Swift's cooperative pool nor one of Dispatch's global queues: on Linux
/// those are about as wide as the machine has cores (two here), and a few slow requests
/// queued every later one behind them, stalling a test run for a whole timeout.
public enum BlockingCall {
    public static func run<T: Sendable>(_ body: @escaping @Sendable () throws -> T) async throws -> T {
        try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<T, any Error>) in
            let thread = Thread { continuation.resume(with: Result { try body() }) }
            thread.stackSize = 1 << 20
            thread.start()
        }
    }
}
