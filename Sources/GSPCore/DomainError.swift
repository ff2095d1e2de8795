/// A domain rule was broken; the message says what is wrong and what to do.
public struct DomainError: Error, Equatable, Sendable, CustomStringConvertible {
    public let message: String
    public init(_ message: String) { self.message = message }
    public var description: String { message }
}
