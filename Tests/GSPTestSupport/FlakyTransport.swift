import Foundation
import Synchronization
import GSPClient

/// A transport that fails on purpose: before a request leaves, or after the server answered
/// (the answer is thrown away, as when a connection drops on the way back).
public final class FlakyTransport: Transport {
    public enum Fault: Sendable { case none, beforeSending, answerLost }
    let inner: any Transport
    private let plan: Mutex<[Fault]>

    /// `plan` is consumed one exchange at a time; once empty, every exchange goes through.
    public init(_ inner: any Transport, plan: [Fault]) {
        self.inner = inner
        self.plan = Mutex(plan)
    }

    public func exchange(_ frame: Data) async throws -> Data {
        let fault = plan.withLock { $0.isEmpty ? .none : $0.removeFirst() }
        if fault == .beforeSending { throw SyncError(.transport, "test: the network is down") }
        let answer = try await inner.exchange(frame)
        if fault == .answerLost { throw SyncError(.transport, "test: the answer was lost on the way back") }
        return answer
    }
}
