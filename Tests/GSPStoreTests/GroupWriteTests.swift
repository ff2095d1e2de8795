import Foundation
import Dispatch
import Testing
import GSPStore
import GSPTestSupport

/// Concurrent writes sharing one commit (`DatabaseQueue.groupWrite`).
@Suite struct GroupWriteTests {
    /// Forty writers at once, every fifth failing halfway: each failing write leaves nothing,
    /// every other write is there, and the shared transactions committed fewer times than
    /// there were writes (or the test proves nothing about grouping).
    @Test func aFailingMemberUndoesOnlyItselfAndTheOthersCommitTogether() throws {
        let dir = TemporaryDirectory()
        let queue = try DatabaseQueue(path: dir.path("g.sqlite"))
        try queue.write { db in try db.execute("CREATE TABLE t (writer INTEGER, part INTEGER); CREATE TABLE commits (n INTEGER)") }
        let writers = 40
        let outcomes = OutcomeBox(count: writers)
        // Threads of their own (not a pool two wide on this machine), released together.
        let done = DispatchGroup()
        let start = DispatchSemaphore(value: 0)
        for i in 0..<writers {
            done.enter()
            Thread {
                start.wait()
                do {
                    try queue.groupWrite { db in
                        try db.run("INSERT INTO t VALUES (?, 1)", [.integer(Int64(i))])
                        // Slow enough that the others pile up behind the leader.
                        usleep(2_000)
                        if i % 5 == 0 { throw TestSupportError("writer \(i) fails halfway") }
                        try db.run("INSERT INTO t VALUES (?, 2)", [.integer(Int64(i))])
                    }
                    outcomes.set(i, true)
                } catch {
                    outcomes.set(i, false)
                }
                done.leave()
            }.start()
        }
        for _ in 0..<writers { start.signal() }
        done.wait()
        let rows = try queue.snapshot { db in try db.query("SELECT writer, count(*) FROM t GROUP BY writer") { ($0.integer(0), $0.integer(1)) } }
        let stored = Dictionary(uniqueKeysWithValues: rows)
        for i in 0..<writers {
            if i % 5 == 0 {
                #expect(outcomes.get(i) == false, "writer \(i) should have failed")
                #expect(stored[Int64(i)] == nil, "failed writer \(i) left rows")
            } else {
                #expect(outcomes.get(i) == true, "writer \(i) should have succeeded")
                #expect(stored[Int64(i)] == 2, "writer \(i) is not whole")
            }
        }
        #expect(queue.commitCount > 0 && queue.commitCount < writers, "writes did not share commits: \(queue.commitCount) commits for \(writers)")
    }
}

final class OutcomeBox: @unchecked Sendable {
    private let lock = NSLock()
    private var values: [Bool?]
    init(count: Int) { values = Array(repeating: nil, count: count) }
    func set(_ i: Int, _ value: Bool) { lock.withLock { values[i] = value } }
    func get(_ i: Int) -> Bool? { lock.withLock { values[i] } }
}
