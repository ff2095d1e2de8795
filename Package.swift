// swift-tools-version:6.0
import PackageDescription

// Layers, one direction: C libraries -> GSPCore (pure domain) -> GSPWire / GSPStore
// -> GSPClient / GSPServer / GSPPipeline / GSPImport -> the thin executables.
let package = Package(
    name: "GSPSync",
    platforms: [.macOS(.v15), .iOS(.v18)],
    products: [
        .library(name: "GSPClient", targets: ["GSPClient"]),
        .executable(name: "gsp", targets: ["gsp"]),
        .executable(name: "gsp-server", targets: ["gsp-server"]),
    ],
    targets: [
        // System C libraries, each wrapped once (see the Swift wrapper named in its shim.h).
        .systemLibrary(name: "CSQLite", path: "Sources/CSQLite", pkgConfig: "sqlite3",
                       providers: [.apt(["libsqlite3-dev"])]),
        .systemLibrary(name: "CZlib", path: "Sources/CZlib", pkgConfig: "zlib",
                       providers: [.apt(["zlib1g-dev"])]),
        .systemLibrary(name: "CPostgres", path: "Sources/CPostgres", pkgConfig: "libpq",
                       providers: [.apt(["libpq-dev"])]),
        .systemLibrary(name: "CMicroHTTPD", path: "Sources/CMicroHTTPD", pkgConfig: "libmicrohttpd",
                       providers: [.apt(["libmicrohttpd-dev"])]),
        .systemLibrary(name: "CCurl", path: "Sources/CCurl", pkgConfig: "libcurl",
                       providers: [.apt(["libcurl4-openssl-dev"])]),
        .systemLibrary(name: "CCrypto", path: "Sources/CCrypto", pkgConfig: "libcrypto",
                       providers: [.apt(["libssl-dev"])]),

        .target(name: "GSPCore"),
        .target(name: "GSPWire", dependencies: ["GSPCore", "CZlib"]),
        .target(name: "GSPStore", dependencies: ["CSQLite"]),
        .target(name: "GSPPostgres", dependencies: ["CPostgres"]),
        .target(name: "GSPPipeline", dependencies: ["GSPCore"]),
        // HTTP goes through libcurl on Linux (a CA file can be trusted); Apple platforms use URLSession.
        .target(name: "GSPClient", dependencies: ["GSPCore", "GSPWire", "GSPStore", "GSPPipeline",
                                                  .target(name: "CCurl", condition: .when(platforms: [.linux]))]),
        .target(name: "GSPImport", dependencies: ["GSPCore", "GSPClient"]),
        .target(name: "GSPServer", dependencies: ["GSPCore", "GSPWire", "GSPStore", "GSPPipeline",
                                                  "GSPPostgres", "CMicroHTTPD", "CCrypto"]),

        .executableTarget(name: "gsp", dependencies: ["GSPClient", "GSPPipeline", "GSPImport"], path: "client-cli"),
        .executableTarget(name: "gsp-server", dependencies: ["GSPServer"], path: "server",
                          exclude: ["README.md"]),
        .executableTarget(name: "gsp-bench", dependencies: ["GSPClient", "GSPServer", "GSPImport", "GSPPostgres"],
                          path: "bench/Sources"),

        .target(name: "GSPTestSupport", dependencies: ["GSPCore", "GSPStore", "GSPClient"],
                path: "Tests/GSPTestSupport"),
        .testTarget(name: "GSPCoreTests", dependencies: ["GSPCore", "GSPTestSupport"]),
        .testTarget(name: "GSPWireTests", dependencies: ["GSPWire", "GSPTestSupport"]),
        .testTarget(name: "GSPStoreTests", dependencies: ["GSPStore", "GSPTestSupport"]),
        .testTarget(name: "GSPPipelineTests", dependencies: ["GSPPipeline", "GSPTestSupport"]),
        .testTarget(name: "GSPClientTests", dependencies: ["GSPClient", "GSPTestSupport"]),
        .testTarget(name: "GSPImportTests", dependencies: ["GSPImport", "GSPTestSupport"]),
        .testTarget(name: "GSPServerTests", dependencies: ["GSPServer", "GSPPostgres", "GSPClient", "GSPTestSupport"]),
        .testTarget(name: "EndToEndTests", dependencies: ["GSPTestSupport"]),
    ]
)

// Shared settings in one place: Swift 6 language mode everywhere.
for target in package.targets where target.type != .system {
    target.swiftSettings = (target.swiftSettings ?? []) + [.swiftLanguageMode(.v6)]
}
