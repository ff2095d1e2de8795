@preconcurrency import CCrypto
import Foundation

/// Bearer tokens: 32 random bytes from OpenSSL, shown once; the server keeps only their SHA-256.
public enum Token {
    /// A new token as base64url text (43 characters, no padding).
    public static func generate() throws(ServerStoreError) -> String {
        var bytes = [UInt8](repeating: 0, count: 32)
        guard RAND_bytes(&bytes, 32) == 1 else {
            throw ServerStoreError("OpenSSL could not produce random bytes for a token: check the system's entropy source")
        }
        return Data(bytes).base64EncodedString()
            .replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_")
            .replacingOccurrences(of: "=", with: "")
    }

    /// SHA-256 of the token's UTF-8 bytes (OpenSSL EVP digest).
    public static func hash(_ token: String) -> [UInt8] {
        var digest = [UInt8](repeating: 0, count: Int(EVP_MAX_MD_SIZE))
        var length: UInt32 = 0
        let bytes = Array(token.utf8)
        let ok = bytes.withUnsafeBytes { input in
            EVP_Digest(input.baseAddress, input.count, &digest, &length, EVP_sha256(), nil)
        }
        precondition(ok == 1, "EVP_Digest(SHA-256) failed")
        return Array(digest.prefix(Int(length)))
    }

    /// Compares two hashes in time that does not depend on where they differ.
    public static func constantTimeEqual(_ a: [UInt8], _ b: [UInt8]) -> Bool {
        guard a.count == b.count, !a.isEmpty else { return false }
        return a.withUnsafeBytes { x in b.withUnsafeBytes { y in CRYPTO_memcmp(x.baseAddress, y.baseAddress, a.count) == 0 } }
    }
}

/// Finds the user behind an `Authorization: Bearer` header.
public struct Authenticator: Sendable {
    let store: any ServerStore
    public init(store: any ServerStore) { self.store = store }

    /// The active user whose token this is, or nil. Every credential is compared, so the
    /// time taken does not tell which user (if any) came close.
    public func user(authorization: String?) throws -> User? {
        guard let authorization, authorization.lowercased().hasPrefix("bearer ") else { return nil }
        let token = authorization.dropFirst("bearer ".count).trimmingCharacters(in: .whitespaces)
        guard !token.isEmpty else { return nil }
        let hash = Token.hash(token)
        var found: User?
        for credential in try store.activeCredentials() where Token.constantTimeEqual(credential.tokenHash, hash) {
            found = credential.user
        }
        return found
    }
}
