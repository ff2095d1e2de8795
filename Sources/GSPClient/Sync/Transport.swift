import Foundation

/// Carries one request frame to the server and brings back its answer frame.
/// Behind a protocol so the sync logic never imports networking, and an app may bring its own.
public protocol Transport: Sendable {
    func exchange(_ frame: Data) async throws -> Data
}
