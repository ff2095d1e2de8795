/// How a sync retries a round after a transient failure (no network, a busy server):
/// exponential backoff from `firstDelay`, doubling up to `maxDelay`, at most `maxRetries`
/// times in a row. A Retry-After from the server replaces the computed delay (capped too).
public struct RetryPolicy: Equatable, Sendable {
    public var maxRetries: Int
    public var firstDelay: Duration
    public var maxDelay: Duration

    public init(maxRetries: Int, firstDelay: Duration = .seconds(1), maxDelay: Duration = .seconds(30)) {
        self.maxRetries = max(0, maxRetries)
        self.firstDelay = firstDelay
        self.maxDelay = maxDelay
    }

    /// Four retries after 1, 2, 4 and 8 seconds.
    public static let standard = RetryPolicy(maxRetries: 4)
    public static let never = RetryPolicy(maxRetries: 0)

    /// The wait before retry number `retry` (1 for the first).
    public func delay(beforeRetry retry: Int, serverAsked: Duration? = nil) -> Duration {
        if let serverAsked { return min(serverAsked, maxDelay) }
        var delay = firstDelay
        for _ in 1..<max(1, retry) where delay < maxDelay { delay *= 2 }
        return min(delay, maxDelay)
    }
}
