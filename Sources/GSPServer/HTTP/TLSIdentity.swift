import Foundation

/// The certificate (chain) and private key `HTTPServer` serves HTTPS with, as PEM text.
public struct TLSIdentity: Sendable {
    public let certificatePEM: String
    public let keyPEM: String

    public init(certificatePEM: String, keyPEM: String) throws(HTTPServerError) {
        try self.init(certificatePEM, keyPEM, names: ("the TLS certificate", "the TLS key"))
    }

    /// Reads the two PEM files (`gsp-server serve --tls-cert PEM --tls-key PEM`).
    public init(certificateFile: String, keyFile: String) throws(HTTPServerError) {
        func read(_ file: String, _ what: String) throws(HTTPServerError) -> String {
            guard let data = FileManager.default.contents(atPath: file) else {
                throw HTTPServerError("cannot read the TLS \(what) \(file): check the path and that gsp-server may read it")
            }
            return String(decoding: data, as: UTF8.self)
        }
        try self.init(try read(certificateFile, "certificate"), try read(keyFile, "key"), names: (certificateFile, keyFile))
    }

    private init(_ certificatePEM: String, _ keyPEM: String, names: (certificate: String, key: String)) throws(HTTPServerError) {
        guard certificatePEM.contains("-----BEGIN CERTIFICATE-----") else {
            throw HTTPServerError("\(names.certificate) holds no PEM certificate (no '-----BEGIN CERTIFICATE-----' line)")
        }
        guard keyPEM.contains("PRIVATE KEY-----") else {
            throw HTTPServerError("\(names.key) holds no PEM private key (no '-----BEGIN ... PRIVATE KEY-----' line)")
        }
        self.certificatePEM = certificatePEM
        self.keyPEM = keyPEM
    }
}

/// A C copy of a string that lives as long as its owner (libmicrohttpd's TLS key and certificate).
// @unchecked: the bytes are written once, in init, and only read afterwards.
final class CStringCopy: @unchecked Sendable {
    let pointer: UnsafeMutablePointer<CChar>
    init(_ text: String) { pointer = strdup(text) }
    deinit {
        // The key is a secret: wipe it before the memory goes back.
        memset(pointer, 0, strlen(pointer))
        free(pointer)
    }
}
