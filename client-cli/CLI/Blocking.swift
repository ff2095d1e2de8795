import Foundation

/// Runs async work from a synchronous command and waits for it.
func runBlocking<T: Sendable>(_ body: @escaping @Sendable () async throws -> T) throws -> T {
    let box = BlockingResult<T>()
    let done = DispatchSemaphore(value: 0)
    Task {
        do { box.result = .success(try await body()) } catch { box.result = .failure(error) }
        done.signal()
    }
    done.wait()
    return try box.result!.get()
}

// @unchecked: written by the task before the semaphore is signalled, read only after the wait.
private final class BlockingResult<T>: @unchecked Sendable {
    var result: Result<T, any Error>?
}
