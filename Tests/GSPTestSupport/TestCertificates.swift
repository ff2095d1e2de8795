import Foundation

/// A throwaway certificate authority and a server certificate it signed for IP 127.0.0.1,
/// made with the openssl command line (EC keys: quick to make).
public struct TestCertificates: Sendable {
    public let caFile: String
    public let certificateFile: String
    public let keyFile: String

    /// Makes the CA `NAME.pem` (key `NAME.key`) and, signed by it, `NAME-server.pem` and `NAME-server.key` in `directory`.
    public static func make(in directory: TemporaryDirectory, name: String = "ca") throws -> TestCertificates {
        let ca = try makeCA(in: directory, name: name)
        let key = directory.path("\(name)-server.key"), request = directory.path("\(name)-server.csr")
        let certificate = directory.path("\(name)-server.pem"), extensions = directory.path("\(name)-server.ext")
        try Data("subjectAltName=IP:127.0.0.1\n".utf8).write(to: URL(fileURLWithPath: extensions))
        try openssl(["req", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes", "-keyout", key,
                     "-out", request, "-subj", "/CN=127.0.0.1"])
        try openssl(["x509", "-req", "-in", request, "-CA", ca.certificate, "-CAkey", ca.key, "-CAcreateserial",
                     "-out", certificate, "-days", "2", "-extfile", extensions])
        return TestCertificates(caFile: ca.certificate, certificateFile: certificate, keyFile: key)
    }

    /// A self-signed CA: `NAME.pem` and its key `NAME.key`.
    public static func makeCA(in directory: TemporaryDirectory, name: String) throws -> (certificate: String, key: String) {
        let certificate = directory.path("\(name).pem"), key = directory.path("\(name).key")
        try openssl(["req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes", "-keyout", key,
                     "-out", certificate, "-days", "2", "-subj", "/CN=GSP Test CA \(name)"])
        return (certificate, key)
    }

    private static func openssl(_ arguments: [String]) throws {
        let result = try GSPBinary.launch("/usr/bin/env", ["openssl"] + arguments).wait()
        guard result.status == 0 else {
            throw TestSupportError("openssl \(arguments.prefix(2).joined(separator: " ")) failed: \(result.stderr)")
        }
    }
}

extension GSPBinary {
    /// Starts `gsp-server serve --listen 127.0.0.1:0 --quiet` with `arguments` and waits for its
    /// 'listening on URL' line. Stop it with `sigkill()`.
    public static func serve(_ arguments: [String]) throws -> (process: RunningProcess, url: String) {
        let server = try launch(serverPath, ["serve", "--listen", "127.0.0.1:0", "--quiet"] + arguments)
        for _ in 0..<400 {
            if let line = server.outputSoFar.split(separator: "\n").first(where: { $0.hasPrefix("listening on ") }) {
                return (server, String(line.dropFirst("listening on ".count)))
            }
            usleep(25_000)
        }
        server.sigkill()
        let result = server.wait()
        throw TestSupportError("gsp-server did not start: \(result.stderr)")
    }
}
